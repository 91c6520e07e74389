// create-torrent 6 ships no type declarations; this covers what the benchmark uses.
declare module 'create-torrent' {
  interface CreateTorrentOptions {
    name?: string;
    pieceLength?: number;
    announceList?: string[][];
    createdBy?: string;
    creationDate?: number;
    private?: boolean;
  }
  export default function createTorrent(input: string, opts: CreateTorrentOptions, cb: (err: Error | null, torrent: Uint8Array) => void): void;
}
