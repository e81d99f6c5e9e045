/**
 * Preloaded into every audit sandbox child (`node --import`) before BullMQ's child code runs. The processor
 * file installs the same handler, but a child whose worker is SIGKILLed after the fork and before BullMQ's
 * init message never loads the processor file, and would live on as an orphan (seen in the queue fault test).
 */
process.once('disconnect', () => process.exit(1));
export {};
