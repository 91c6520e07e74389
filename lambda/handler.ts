/**
 * Lambda entry points. Config is read once at cold start: a bad deployment
 * fails at init with the variable's name, not on the first request.
 */
import { compose } from './compose';
import { loadConfig } from './config';

export const { torrentHandler, seedHandler, mintHandler, generateHandler, trackerHandler } = compose(loadConfig()).handlers;
