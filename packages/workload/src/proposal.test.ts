import { describe, expect, it } from 'vitest';
import { nearestRankPercentile, proposalTotals, staffingProposal } from './proposal.ts';

describe('nearest-rank percentile', () => {
  it('picks the value of rank ceil(p/100 × n)', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(nearestRankPercentile(ten, 80)).toBe(8);
    expect(nearestRankPercentile(ten, 81)).toBe(9);
    expect(nearestRankPercentile(ten, 100)).toBe(10);
    expect(nearestRankPercentile(ten, 1)).toBe(1);
    expect(nearestRankPercentile([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(nearestRankPercentile([15, 20, 35, 40, 50], 40)).toBe(20);
    expect(nearestRankPercentile([3], 80)).toBe(3);
    expect(nearestRankPercentile([], 80)).toBeNull();
  });

  it('is not fooled by p/100 × n in floating point', () => {
    // 7 / 100 × 100 = 7.000000000000001 would pick rank 8.
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRankPercentile(values, 7)).toBe(7);
  });
});

describe('staffing proposal', () => {
  it('rounds the 80th percentile of the last 52 weeks up', () => {
    const early = Array.from({ length: 10 }, () => 9);
    const recent = Array.from({ length: 52 }, (_, i) => 2 + (i % 10) * 0.25);
    const proposal = staffingProposal({ weeklyRequiredFte: [...early, ...recent], actualFte: 3 });
    expect(proposal.weeksUsed).toBe(52);
    // 52 weeks: rank ceil(41.6) = 42 of the sorted values 2, 2.25, …, 4.25 (each 5 or 6 times).
    expect(proposal.percentileFte).toBe(3.75);
    expect(proposal.proposedStaff).toBe(4);
    expect(proposal.gap).toBe(1);
  });

  it('uses the weeks there are, and does not round 3 + ε up to 4', () => {
    const proposal = staffingProposal({ weeklyRequiredFte: [(0.1 + 0.2) * 10, 1, 2], actualFte: null });
    expect(proposal.weeksUsed).toBe(3);
    expect(proposal.proposedStaff).toBe(3);
    expect(proposal.gap).toBeNull();
  });

  it('has no proposal without weeks', () => {
    expect(staffingProposal({ weeklyRequiredFte: [], actualFte: 2 })).toEqual({
      proposedStaff: null,
      percentileFte: null,
      weeksUsed: 0,
      actualFte: 2,
      gap: null,
    });
  });

  it('totals provinces and the nation, never reading a missing side as zero', () => {
    const totals = proposalTotals([
      { communeCode: '00004', provinceCode: '01', proposedStaff: 5, actualFte: 4 },
      { communeCode: '00007', provinceCode: '01', proposedStaff: 3, actualFte: null },
      { communeCode: '25003', provinceCode: '22', proposedStaff: null, actualFte: 2.5 },
      { communeCode: '25006', provinceCode: '22', proposedStaff: 2, actualFte: 3 },
    ]);
    expect(totals.national).toEqual({
      proposedStaff: 10,
      actualFte: 9.5,
      gap: 0,
      communes: 4,
      communesWithoutProposal: 1,
      communesWithoutStaffing: 1,
    });
    expect(totals.provinces.map((p) => [p.provinceCode, p.proposedStaff, p.actualFte, p.gap])).toEqual([
      ['01', 8, 4, 1],
      ['22', 2, 5.5, -1],
    ]);
  });
});
