/** Where a command writes, and the environment it runs in (process.* in the bin, fakes in tests). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}
