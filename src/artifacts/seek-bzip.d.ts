/** Types for the part of seek-bzip (pure-JS bzip2, no types published) that tar-bz2.ts uses. */
declare module 'seek-bzip' {
  export interface InputStream {
    readByte(): number;
    read(target: Uint8Array, at: number, length: number): number;
    seek(position: number): void;
    eof(): boolean;
  }
  export interface OutputStream {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    decode(input: Buffer | InputStream, output: OutputStream, multistream?: boolean): void;
  };
  export default Bunzip;
}
