/**
 * Input `train` refuses (a bad line, too little data, no frauds): the CLI prints the message and
 * exits with code 2, as for bad arguments. Anything else is a fault of Vigil's (exit code 1).
 */
export class TrainingDataError extends Error {
  readonly code = 'TRAINING_DATA';
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}
