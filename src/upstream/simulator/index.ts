/** The Kling simulator: a real HTTP server speaking Kling's image-to-video protocol. */

export type { Fault, FaultRule, FaultTarget } from './faults.js';
export type {
  SimulatedOutcome,
  SimulatorAccount,
  SimulatorCallbackOptions,
  SimulatorLogger,
  SimulatorOptions,
  SimulatorTimings,
} from './options.js';
export { DEFAULT_ACCOUNT } from './options.js';
export type { SimulatedRequest } from './server.js';
export { type KlingSimulator, startKlingSimulator } from './simulator.js';
export type { SimulatedTask } from './store.js';
export { PRESET_VOICES } from './voices.js';
