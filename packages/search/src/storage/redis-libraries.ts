/**
 * BullMQ and ioredis, required when a study in Redis first needs them, not imported: both are CommonJS, and an
 * ES-module import has Node scan their sources for export names (cjs-module-lexer), ~0.2 s of CPU more in every
 * coordinator and `scalelab worker` — on a small machine, time taken from the trials starting beside them.
 * Not loaded with this module either: a study on the file journal never loads them.
 */
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';

const require = createRequire(import.meta.url);

export const loadBullmq = (): typeof BullMQ => require('bullmq') as typeof BullMQ;

export const loadIoredis = (): typeof IORedis => require('ioredis') as typeof IORedis;
