import { ConflictException, NotFoundException } from '@nestjs/common';

export function notFound(what: string, key: string | number): NotFoundException {
  return new NotFoundException(`${what} ${key} not found`);
}

export function alreadyExists(what: string, key: string | number): ConflictException {
  return new ConflictException(`${what} ${key} already exists`);
}
