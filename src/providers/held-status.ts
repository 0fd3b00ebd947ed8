/**
 * The status a Cloud API answer gives a message Meta holds for quality assessment (template
 * pacing): accepted, but Meta may still deliver or drop it.
 */
export const HELD_STATUS = 'held_for_quality_assessment';
