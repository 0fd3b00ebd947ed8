/** Template categories as Meta names them (lower-cased). */
export const CATEGORIES = ['marketing', 'utility', 'authentication'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Meta's default message time-to-live per category, in seconds (api-facts.md §3). */
export const DEFAULT_TTL_SECONDS: Record<Category, number> = {
  authentication: 600,
  utility: 30 * 24 * 3600,
  marketing: 30 * 24 * 3600,
};

/** Meta's allowed custom TTL range per category, in seconds (api-facts.md §3). */
export const TTL_RANGE_SECONDS: Record<Category, [number, number]> = {
  authentication: [30, 900],
  utility: [30, 43_200],
  marketing: [43_200, 2_592_000],
};

/** A `{{placeholder}}` in the spec and where it is written. */
export interface PlaceholderUse {
  name: string;
  line: number | undefined;
  /** True when the value lands in a text parameter, where Meta refuses newlines, tabs and long runs of spaces. */
  inTextParameter: boolean;
}

/**
 * A template spec as loaded and checked (SPEC.md "Template spec"): the Cloud API `template` object
 * with `{{column}}` placeholders, plus what the tool needs to know about it.
 */
export interface TemplateSpec {
  file: string;
  name: string;
  language: { code: string; policy?: string };
  category: Category;
  /** Seconds a message may wait for delivery before the platform drops it. */
  ttlSeconds: number;
  /** The approved body text, for the preview and length checks; may use `{{n}}` for the n-th body parameter. */
  body: string | undefined;
  /**
   * `named` when the approved template takes named parameters (`{{first_name}}`): every body and
   * header text parameter then carries its `parameter_name`, as the Cloud API requires.
   */
  parameterFormat: 'positional' | 'named';
  /** Cloud API `components`, placeholders unfilled. */
  components: unknown[];
  /** Where things are in the spec file, for messages about them (the preflight's). */
  lines: { components: (number | undefined)[]; parameterFormat: number | undefined; twilio: number | undefined; category: number | undefined };
  twilio: { contentSid: string; variables: Record<string, string> } | undefined;
  /**
   * Values used when a row leaves a column empty; a column with a default is not required. A Map:
   * column names are the user's text, and `constructor` or `__proto__` must not find Object's.
   */
  defaults: ReadonlyMap<string, string>;
  /** Every column placeholder in components, body and the twilio block (numbered body references excluded). */
  placeholders: PlaceholderUse[];
  /** Non-fatal remarks on the spec itself (e.g. a TTL outside Meta's range). */
  warnings: string[];
}
