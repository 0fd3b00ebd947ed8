type TypedArray = Float64Array | Int32Array | Int8Array | Uint8Array;

/**
 * A growable column of numbers in a typed array: a million attempts cost 1–8 bytes each instead of
 * a JS array's 8 bytes plus boxing, and the GC never scans them.
 */
export class NumberColumn<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }
}

export const float64s = () => new NumberColumn((n) => new Float64Array(n));
export const int32s = () => new NumberColumn((n) => new Int32Array(n));
export const int8s = () => new NumberColumn((n) => new Int8Array(n));
export const uint8s = () => new NumberColumn((n) => new Uint8Array(n));
