import { describe, expect, it } from 'vitest';
import { SenderPacers } from '../../src/campaign/sender-pacers.js';
import { ManualClock } from '../manual-clock.js';

describe('SenderPacers: one pacer per sending number', () => {
  it('gives the same pacer for a sender each time, a new one for another, all at --mps, listed in the order first used', () => {
    const pacers = new SenderPacers(80, new ManualClock());
    const a = pacers.for('+15550000001');
    const b = pacers.for('MG123');
    expect(pacers.for('+15550000001')).toBe(a);
    expect(b).not.toBe(a);
    expect(pacers.all()).toEqual([a, b]);
    expect([a.mps, b.mps]).toEqual([80, 80]);
    expect(new SenderPacers(7, new ManualClock()).all()).toEqual([]);
  });
});
