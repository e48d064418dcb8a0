/**
 * A tiny libpcap file writer for the tshark check: the bytes a TCP connection really carried,
 * wrapped in synthetic Ethernet / IPv4 / TCP headers (handshake, sequence and acknowledgement
 * numbers, checksums), so tshark's TCP reassembly and Diameter dissector see a normal stream.
 *
 * Why synthetic rather than `tshark -i lo`: a live capture needs capture privileges, has to be
 * started and stopped around the exchange (and may drop the first packets while it starts),
 * and captures unrelated loopback traffic. Writing the exact bytes that crossed the socket is
 * deterministic and needs nothing but tshark to read the file.
 */

export interface TcpSegmentRecord {
  /** true: client -> server. */
  fromClient: boolean;
  data: Buffer;
}

const LINKTYPE_ETHERNET = 1;
const MSS = 1460;

function checksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

const ip = (a: string) => Buffer.from(a.split('.').map(Number));

export class PcapWriter {
  private readonly records: Buffer[] = [];
  private clientSeq = 1000;
  private serverSeq = 5000;
  private time = Date.UTC(2026, 0, 1) * 1000;

  constructor(
    private readonly clientPort: number,
    private readonly serverPort: number,
    private readonly clientIp = '127.0.0.1',
    private readonly serverIp = '127.0.0.1',
  ) {
    // Three-way handshake.
    this.packet(true, 0x02, Buffer.alloc(0)); // SYN
    this.clientSeq++;
    this.packet(false, 0x12, Buffer.alloc(0)); // SYN-ACK
    this.serverSeq++;
    this.packet(true, 0x10, Buffer.alloc(0)); // ACK
  }

  /** Adds the bytes of one read or write, split into MSS-sized segments. */
  add(fromClient: boolean, data: Buffer): void {
    for (let off = 0; off < data.length; off += MSS) {
      const seg = data.subarray(off, off + MSS);
      this.packet(fromClient, 0x18, seg); // PSH+ACK
      if (fromClient) this.clientSeq += seg.length;
      else this.serverSeq += seg.length;
    }
  }

  private packet(fromClient: boolean, flags: number, payload: Buffer): void {
    const [srcIp, dstIp] = fromClient
      ? [this.clientIp, this.serverIp]
      : [this.serverIp, this.clientIp];
    const [srcPort, dstPort] = fromClient
      ? [this.clientPort, this.serverPort]
      : [this.serverPort, this.clientPort];
    const seq = fromClient ? this.clientSeq : this.serverSeq;
    const ack = flags === 0x02 ? 0 : fromClient ? this.serverSeq : this.clientSeq;

    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(srcPort, 0);
    tcp.writeUInt16BE(dstPort, 2);
    tcp.writeUInt32BE(seq >>> 0, 4);
    tcp.writeUInt32BE(ack >>> 0, 8);
    tcp[12] = 5 << 4; // data offset 5 words
    tcp[13] = flags;
    tcp.writeUInt16BE(65535, 14); // window
    const pseudo = Buffer.concat([ip(srcIp), ip(dstIp), Buffer.from([0, 6]), Buffer.alloc(2)]);
    pseudo.writeUInt16BE(20 + payload.length, 10);
    tcp.writeUInt16BE(checksum(pseudo, tcp, payload), 16);

    const ipv4 = Buffer.alloc(20);
    ipv4[0] = 0x45;
    ipv4.writeUInt16BE(20 + 20 + payload.length, 2);
    ipv4.writeUInt16BE(this.records.length & 0xffff, 4);
    ipv4[6] = 0x40; // don't fragment
    ipv4[8] = 64; // TTL
    ipv4[9] = 6; // TCP
    ip(srcIp).copy(ipv4, 12);
    ip(dstIp).copy(ipv4, 16);
    ipv4.writeUInt16BE(checksum(ipv4), 10);

    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ipv4, tcp, payload]);

    this.time += 1000; // 1 ms apart
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(this.time / 1e6), 0);
    rec.writeUInt32LE(this.time % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    this.records.push(rec, frame);
  }

  /** The whole file: global header (pcap 2.4, microseconds, Ethernet) + records. */
  toBuffer(): Buffer {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    return Buffer.concat([header, ...this.records]);
  }
}
