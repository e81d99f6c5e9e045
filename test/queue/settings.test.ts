import { describe, expect, it } from 'vitest';
import { redisOptions, redactUrl } from '../../src/queue/connection.js';
import { queueSettings } from '../../src/queue/settings.js';

describe('queue settings from the environment', () => {
  it('parses REDIS_URL: user, password, db, TLS for rediss://', () => {
    expect(redisOptions('rediss://app:s%40cret@cache.example:6380/3', 'worker')).toMatchObject({
      host: 'cache.example',
      port: 6380,
      username: 'app',
      password: 's@cret',
      db: 3,
      tls: { servername: 'cache.example' },
      maxRetriesPerRequest: null,
    });
    const producer = redisOptions('redis://127.0.0.1', 'producer');
    expect(producer).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, maxRetriesPerRequest: 3 });
    expect(producer.tls).toBeUndefined();
    expect(redactUrl('redis://u:p4ss@h:1')).toBe('redis://u:***@h:1');
  });

  it('wraps the prefix in a Redis Cluster hash tag and names bad settings', () => {
    expect(queueSettings({ NNAUDIT_QUEUE_PREFIX: 'team-a' }).prefix).toBe('{team-a}');
    expect(queueSettings({ NNAUDIT_QUEUE_PREFIX: '{already}' }).prefix).toBe('{already}');
    expect(() => queueSettings({ REDIS_URL: 'http://x' })).toThrow(
      /REDIS_URL: must start with redis:\/\/ or rediss:\/\//,
    );
    expect(() => queueSettings({ NNAUDIT_ATTEMPTS: 'many' })).toThrow(/NNAUDIT_ATTEMPTS/);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('is read as seed nodes (host:port, IPv6 in brackets); a bad entry is named with an example', () => {
    expect(queueSettings({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002' }).clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(queueSettings({}).clusterNodes).toBeNull();
    expect(() => queueSettings({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES: "10.0.0.1" is not host:port \(e.g. REDIS_CLUSTER_NODES=/,
    );
  });
});
