import { registerAs } from '@nestjs/config';
import { type HssConfig, loadHssConfig } from './hss-config-spec';

export const HSS_CONFIG_NAMESPACE = 'hss';

/**
 * The `hss` config namespace. Inject it with `@Inject(hssConfig.KEY) config: HssConfig`.
 * `AppModule.forRoot(config)` registers the same key with the resolved configuration
 * (`hssConfigFactory(config)`), so overrides given to createHssApp reach every consumer.
 */
export const hssConfig = registerAs(HSS_CONFIG_NAMESPACE, (): HssConfig => loadHssConfig());

/** A factory for the `hss` namespace pinned to an already resolved configuration. */
export function hssConfigFactory(config: HssConfig): typeof hssConfig {
  return registerAs(HSS_CONFIG_NAMESPACE, (): HssConfig => ({ ...config }));
}
