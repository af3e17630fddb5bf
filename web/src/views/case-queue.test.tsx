/** A case row names its case by the end of its id that tells it apart from the others. */
import { describe, expect, it } from 'vitest';
import { idTail } from './case-queue.js';

describe('idTail', () => {
  it('keeps an id that fits whole', () => {
    expect(idTail('tx_sim_1796505497255_3379')).toBe('tx_sim_1796505497255_3379');
  });

  it('keeps the distinguishing end of a long id, marked as cut at its start', () => {
    const a = 'tx_simulation_batch_2026_12_05_1796505497255_3379';
    const b = 'tx_simulation_batch_2026_12_05_1796505497255_3380';
    expect(idTail(a)).toBe('…2026_12_05_1796505497255_3379');
    expect(idTail(a)).toHaveLength(30);
    expect(idTail(a)).not.toBe(idTail(b));
  });
});
