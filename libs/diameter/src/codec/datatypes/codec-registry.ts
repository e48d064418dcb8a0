/** Data type name -> codec (go-diameter `datatype` style); Grouped is handled by the AVP codec. */
import { Address } from './address';
import { DataTypeCodec, DataTypeName } from './data-type';
import { DiameterIdentity } from './diameter-identity';
import { DiameterURI } from './diameter-uri';
import { Enumerated } from './enumerated';
import { Float32 } from './float32';
import { Float64 } from './float64';
import { Integer32 } from './integer32';
import { Integer64 } from './integer64';
import { OctetString } from './octet-string';
import { Time } from './time';
import { Unsigned32 } from './unsigned32';
import { Unsigned64 } from './unsigned64';
import { UTF8String } from './utf8-string';

const codecs = new Map<DataTypeName, DataTypeCodec<unknown>>(
  [
    OctetString,
    Integer32,
    Integer64,
    Unsigned32,
    Unsigned64,
    Float32,
    Float64,
    Address,
    Time,
    UTF8String,
    DiameterIdentity,
    DiameterURI,
    Enumerated,
  ].map((c) => [c.type, c as DataTypeCodec<unknown>]),
);

/** The codec of a scalar data type (undefined for Grouped). */
export function codecFor(type: DataTypeName): DataTypeCodec<unknown> | undefined {
  return codecs.get(type);
}
