/**
 * Training, validation and test windows cut from a history's own time span, in whole UTC days:
 * the first 60 % of its days train, the next 20 % validate (early stopping and thresholds), the
 * last 20 % test. The last `gap` days of the training and validation windows are left out, gap =
 * the label delay rounded up: a fraud's label is then known before the next window starts, as it
 * would be for a model trained on the last day of its window and used the next.
 */
import type { DateWindow } from '../pipeline/windows.js';
import { TrainingDataError } from './training-data-error.js';

export const WINDOW_SHARES = { train: 0.6, validation: 0.2 } as const;

export interface SpanWindows {
  readonly train: DateWindow;
  readonly validation: DateWindow;
  readonly test: DateWindow;
  /** Days the data spans (first to last day, inclusive). */
  readonly days: number;
  readonly gapDays: number;
}

const DAY = 86_400;
const date = (day: number) => new Date(day * DAY * 1000).toISOString().slice(0, 10);

/** Shortest span that leaves every window at least one day after its gap. */
export function minimumSpanDays(gapDays: number): number {
  let days = 1;
  while (!fits(days, gapDays)) days++;
  return days;
}

function split(days: number): { trainDays: number; validationDays: number } {
  return {
    trainDays: Math.round(days * WINDOW_SHARES.train),
    validationDays: Math.round(days * WINDOW_SHARES.validation),
  };
}

function fits(days: number, gapDays: number): boolean {
  const { trainDays, validationDays } = split(days);
  return (
    trainDays - gapDays >= 1 &&
    validationDays - gapDays >= 1 &&
    days - trainDays - validationDays >= 1
  );
}

/** Windows of a history whose first and last transactions are at these epoch seconds. */
export function spanWindows(
  firstSec: number,
  lastSec: number,
  labelDelayDays: number,
): SpanWindows {
  const gapDays = Math.ceil(labelDelayDays);
  const first = Math.floor(firstSec / DAY);
  const last = Math.floor(lastSec / DAY);
  const days = last - first + 1;
  const { trainDays, validationDays } = split(days);
  if (!fits(days, gapDays)) {
    throw new TrainingDataError(
      `the data spans ${days} day(s) (${date(first)} … ${date(last)}); with a ${labelDelayDays}-day ` +
        `label delay it must span at least ${minimumSpanDays(gapDays)} days`,
    );
  }
  return {
    train: { start: date(first), end: date(first + trainDays - 1 - gapDays) },
    validation: {
      start: date(first + trainDays),
      end: date(first + trainDays + validationDays - 1 - gapDays),
    },
    test: { start: date(first + trainDays + validationDays), end: date(last) },
    days,
    gapDays,
  };
}
