import nodemailer, { type Transporter } from 'nodemailer';
import { UserInputError } from '../errors.js';

/** An SMTP transport from SMTP_URL (smtp://user:pass@host:587, smtps:// for implicit TLS); missing config is an error. */
export function smtpTransport(smtpUrl: string | null): Transporter {
  if (!smtpUrl) {
    throw new UserInputError(
      'config',
      'SMTP_URL is not set, so the notify worker cannot send email. ' +
        'Set SMTP_URL=smtp://user:password@host:587 (smtps:// for TLS), or run only the other queues: --queue audit,render',
    );
  }
  return nodemailer.createTransport(smtpUrl);
}
