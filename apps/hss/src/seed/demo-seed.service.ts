import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hssConfig, type HssConfig } from '../config';
import { PrivateIdentity } from '../database/entities';
import { SubscribersService } from '../rest/subscribers';
import { asciiHex, DEMO_SUBSCRIBERS } from './demo-subscribers';

/** Seeds the demo subscribers into an empty database when HSS_SEED_DEMO=true. */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    @Inject(hssConfig.KEY) private readonly config: HssConfig,
    private readonly dataSource: DataSource,
    private readonly subscribers: SubscribersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemo) return;
    if ((await this.dataSource.getRepository(PrivateIdentity).count()) > 0) {
      this.logger.log('database not empty: demo subscribers not seeded');
      return;
    }
    for (const s of DEMO_SUBSCRIBERS) {
      await this.subscribers.create({
        imsi: s.imsi,
        msisdn: s.msisdn,
        k: asciiHex(s.kText),
        op: asciiHex(s.opText),
        amf: s.amf,
        sqn: 0,
      });
    }
    this.logger.log(
      `seeded ${DEMO_SUBSCRIBERS.length} demo subscribers: ${DEMO_SUBSCRIBERS.map((s) => s.imsi).join(', ')}`,
    );
  }
}
