// Results of running `@HOST COMMAND` scripts (kube-netlab run, differential tests, lab solutions).

export interface CommandResult {
  host: string;
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}
