/**
 * A Buffer of `size` bytes whose first byte sits on a 64-byte boundary.
 * SHA-1 over a misaligned Buffer ran up to ~4x slower on this project's
 * machines (TOOLCHAIN.md), so piece buffers are always aligned.
 */
export const alignedBuffer = (size: number): Buffer => {
  const backing = Buffer.allocUnsafeSlow(size + 64);
  const misalign = backing.byteOffset % 64;
  const start = misalign === 0 ? 0 : 64 - misalign;
  return backing.subarray(start, start + size);
};
