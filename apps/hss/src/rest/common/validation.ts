import { ValidationPipe } from '@nestjs/common';

/**
 * The one validation pipe of the REST API: unknown fields are refused (whitelist +
 * forbidNonWhitelisted), and the 400 lists one message per bad field, nested fields by path
 * (e.g. `triggerPoint.spts.0.method must be ...`). Messages never echo the value.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    stopAtFirstError: false,
  });
}
