import { isAlias, isCollection, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { InputError } from './errors.js';

/**
 * Aliases a document may hold. A template spec or a scenario reuses a value through `&anchor` /
 * `*alias` a few times at most; yaml's own cap (`maxAliasCount`, passed below) is the same number.
 */
export const MAX_ALIASES = 100;
/**
 * Values (scalars and collections) that aliases may add to a document once expanded. The
 * "billion laughs" document is a few hundred bytes and expands to 10^9 strings; a real spec adds
 * a few dozen.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

/** A path into a document: keys and list indexes. */
export type YamlPath = (string | number)[];

export interface ParsedYaml {
  /** The document as plain values (objects, arrays, strings, numbers…). */
  value: unknown;
  /** The line of the value at `path` (or of its parent when it is missing), for messages. */
  lineOf(path: YamlPath): number | undefined;
}

/**
 * Reads YAML (or JSON, which YAML 1.2 reads too) that a user wrote, or that someone hostile wrote:
 * every problem is an InputError naming `file` and, where the parser knows it, the line. Aliases
 * are checked before anything is expanded: too many, an alias inside the value it names (which
 * would be an endless value), an alias without its anchor, or a document that aliases make huge.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) throw syntaxError(syntax, file, lineCounter);
  checkAliases(doc, (offset) => lineCounter.linePos(offset).line, file);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // What the check above does not foresee (yaml also weighs aliases nested in aliases).
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new InputError(`not valid YAML or JSON: ${/alias/i.test(message) ? `${message}; write the values out instead of reusing them through aliases` : message}`, { file });
  }
  const lineOf = (path: YamlPath): number | undefined => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const target = node?.range ? node : (doc.getIn(path.slice(0, -1), true) as typeof node);
    return target?.range ? lineCounter.linePos(target.range[0]).line : undefined;
  };
  return { value, lineOf };
}

function syntaxError(error: YAMLError, file: string, lineCounter: LineCounter): InputError {
  const line = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new InputError(`not valid YAML or JSON: ${message}`, { file, line });
}

/**
 * Walks the document in order, as yaml resolves aliases (an alias names the last anchor of that
 * name before it), counting what each value expands to. Linear in the document's size: a value's
 * expansion is known once it has been walked, and an alias only ever names a value walked before.
 */
function checkAliases(doc: Document.Parsed, lineAt: (offset: number) => number, file: string): void {
  const anchors = new Map<string, unknown>();
  // Values walked to the end, with what they expand to; an anchored value still being walked is absent.
  const sizes = new Map<unknown, number>();
  let aliases = 0;
  let expansion = 0;
  const fail = (node: unknown, message: string): never => {
    const range = (node as { range?: [number, number, number] }).range;
    throw new InputError(message, { file, line: range ? lineAt(range[0]) : undefined });
  };
  const walk = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const name = node.source;
      if (++aliases > MAX_ALIASES) fail(node, `more than ${MAX_ALIASES} YAML aliases (*${name} here): write the values out instead of reusing them`);
      if (!anchors.has(name)) fail(node, `YAML alias *${name} has no anchor &${name} before it`);
      const size = sizes.get(anchors.get(name));
      if (size === undefined) fail(node, `YAML alias *${name} is inside the value &${name} it names: that value would never end`);
      expansion += size!;
      if (expansion > MAX_ALIAS_EXPANSION) {
        fail(node, `YAML aliases expand this file to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values (*${name} here): a "billion laughs" document? Write the values out instead of reusing them`);
      }
      return size!;
    }
    if (isPair(node)) return walk(node.key) + walk(node.value);
    if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
    let size = 1;
    if (isCollection(node)) for (const item of node.items) size += walk(item);
    else if (!isScalar(node)) size = 0;
    sizes.set(node, size);
    return size;
  };
  walk(doc.contents);
}
