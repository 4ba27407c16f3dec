import { STORYBOARD_MAX_PROBLEMS } from './storyboardLimits';
import type { Problem } from './storyboardDocument';

/**
 * Collects a storyboard's problems up to a limit, and only counts the rest. A problem is made (its message, its
 * "did you mean", its place) only while there is room: a file with a typo in each of 300,000 videos costs a count
 * per problem past the limit, not a message.
 */
export class ProblemSink {
  readonly problems: Problem[] = [];
  private counted = 0;

  constructor(readonly limit: number = STORYBOARD_MAX_PROBLEMS) {}

  /** True once the limit is reached: checks that cost more than a count (files on disk) can stop here. */
  get full(): boolean {
    return this.problems.length >= this.limit;
  }

  /** Problems found past the limit and not described. */
  get more(): number {
    return this.counted;
  }

  add(make: () => Problem): void {
    if (this.full) this.counted++;
    else this.problems.push(make());
  }

  /** Adds problems already made (a few, such as the syntax errors of a text). */
  addMade(problems: readonly Problem[]): void {
    for (const problem of problems) this.add(() => problem);
  }
}
