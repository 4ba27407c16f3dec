import type { SimulatedVideoRenderer } from '../media/simulatedVideo';
import type { SimulatorTasks } from './simulatorTasks';

/** What the route handlers of one simulator share. */
export interface SimulatorContext {
  /** `http://host:port`, the base of every link the simulator hands out. */
  baseUrl: string;
  now: () => number;
  tasks: SimulatorTasks;
  renderer: SimulatedVideoRenderer;
  linkTtlMs: number;
  videoPaddingBytes: number;
  maxUploadBytes: number;
  uploadTtlMs: number;
  log: (line: string) => void;
  /** Writes the state file, if there is one; resolves once written (or once a failure is logged). */
  saveState: () => Promise<void>;
}
