import type { Logger } from '@nestjs/common';
import type { SipStack } from '@lib/sip';

/**
 * SIP_TRACE: logs every message this element sends and receives. libs/sip has no trace
 * hook, so this adapter wraps the transport layer's single outbound path (`sendRaw`) and
 * the inbound `onData` it hands to the transports.
 */
export function installSipTrace(stack: SipStack, logger: Logger): void {
  const layer = stack.transportLayer as unknown as {
    sendRaw: (
      data: Buffer,
      destination: { host: string; port: number; transport: string },
      id?: string,
    ) => Promise<string | undefined>;
    onData: (received: {
      data: Buffer;
      source: { host: string; port: number; transport: string };
    }) => void;
  };
  const sendRaw = layer.sendRaw.bind(layer);
  layer.sendRaw = (data, destination, id) => {
    logger.log(
      `SIP >>> ${destination.transport} ${destination.host}:${destination.port}\n${summary(data)}`,
    );
    return sendRaw(data, destination, id);
  };
  const onData = layer.onData.bind(layer);
  layer.onData = (received) => {
    const s = received.source;
    logger.log(`SIP <<< ${s.transport} ${s.host}:${s.port}\n${summary(received.data)}`);
    onData(received);
  };
}

function summary(data: Buffer): string {
  return data.toString('utf8').replace(/\r\n$/, '');
}
