import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApplicationServersController, ApplicationServersService } from './application-servers';
import {
  BodySyntaxFilter,
  createValidationPipe,
  QueryFailedFilter,
  WriteTokenGuard,
} from './common';
import { IfcsController, IfcsService } from './ifcs';
import { RegistrationNotifier } from './notifications';
import { PrivateIdentitiesController, PrivateIdentitiesService } from './private-identities';
import { PublicIdentitiesController, PublicIdentitiesService } from './public-identities';
import { ScscfCapabilitiesController, ScscfCapabilitiesService } from './scscf-capabilities';
import { ServiceProfilesController, ServiceProfilesService } from './service-profiles';
import { SubscribersController, SubscribersService } from './subscribers';
import { SubscriptionsController, SubscriptionsService } from './subscriptions';

/**
 * REST provisioning of the HSS: every resource of the IMS subscription model, the subscriber
 * shortcut and bulk import. Validation, the write token and database-error mapping apply to
 * every controller of the app.
 */
@Module({
  controllers: [
    SubscribersController,
    SubscriptionsController,
    PrivateIdentitiesController,
    PublicIdentitiesController,
    ServiceProfilesController,
    IfcsController,
    ApplicationServersController,
    ScscfCapabilitiesController,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_GUARD, useClass: WriteTokenGuard },
    { provide: APP_FILTER, useClass: QueryFailedFilter },
    { provide: APP_FILTER, useClass: BodySyntaxFilter },
    RegistrationNotifier,
    SubscribersService,
    SubscriptionsService,
    PrivateIdentitiesService,
    PublicIdentitiesService,
    ServiceProfilesService,
    IfcsService,
    ApplicationServersService,
    ScscfCapabilitiesService,
  ],
  exports: [SubscribersService, RegistrationNotifier],
})
export class RestModule {}
