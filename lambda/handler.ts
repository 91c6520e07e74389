/**
 * Lambda entry points. Config is read once at cold start: a bad deployment
 * fails at init with the variable's name, not on the first request.
 */
import { loadConfig } from './config';
import { createHandlers } from './compose';

export const { torrentHandler, seedHandler, mintHandler, generateHandler } = createHandlers(loadConfig());
