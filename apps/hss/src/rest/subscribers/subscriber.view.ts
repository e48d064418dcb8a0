import { ApiProperty } from '@nestjs/swagger';
import { PrivateIdentity, PublicIdentity } from '../../database/entities';

export class SubscriberImpuView {
  @ApiProperty() impu: string;
  @ApiProperty() isDefault: boolean;
  @ApiProperty() barred: boolean;
  @ApiProperty() implicitSetId: string;
  @ApiProperty() registrationState: string;
  @ApiProperty({ nullable: true, type: String }) scscfName: string | null;
  @ApiProperty({ nullable: true, type: Number }) serviceProfileId: number | null;
}

/** A subscriber (one IMPI with its IMPUs) as REST shows it: no K, OP, OPc or password. */
export class SubscriberView {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null when the IMPI is not <imsi>@<domain>',
  })
  imsi: string | null;
  @ApiProperty({ nullable: true, type: String }) msisdn: string | null;
  @ApiProperty() impi: string;
  @ApiProperty() subscriptionId: number;
  @ApiProperty() privateIdentityId: number;
  @ApiProperty() authScheme: string;
  @ApiProperty({ enum: ['op', 'opc'], nullable: true }) opType: string | null;
  @ApiProperty() amf: string;
  @ApiProperty() sqn: number;
  @ApiProperty({ type: [SubscriberImpuView] }) impus: SubscriberImpuView[];
  @ApiProperty() createdAt: string;
}

export function toSubscriberView(p: PrivateIdentity): SubscriberView {
  const at = p.impi.lastIndexOf('@');
  const user = at > 0 ? p.impi.slice(0, at) : p.impi;
  const impus = [...(p.publicIdentities ?? [])].sort(byDefaultThenId);
  const tel = impus.find((i) => /^tel:\+\d+$/.test(i.impu));
  return {
    imsi: /^\d{6,15}$/.test(user) ? user : null,
    msisdn: tel ? tel.impu.slice('tel:+'.length) : null,
    impi: p.impi,
    subscriptionId: p.subscriptionId,
    privateIdentityId: p.id,
    authScheme: p.authScheme,
    opType: p.opType,
    amf: p.amf,
    sqn: Number(p.sqn),
    impus: impus.map((i) => ({
      impu: i.impu,
      isDefault: !!i.isDefault,
      barred: !!i.barred,
      implicitSetId: i.implicitSetId,
      registrationState: i.registrationState,
      scscfName: i.scscfName,
      serviceProfileId: i.serviceProfileId,
    })),
    createdAt: new Date(p.createdAt).toISOString(),
  };
}

function byDefaultThenId(a: PublicIdentity, b: PublicIdentity): number {
  return Number(!!b.isDefault) - Number(!!a.isDefault) || a.id - b.id;
}
