import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shape of a page of `item`: `{ items, total, page, limit }`. */
export function PageDto<T>(
  item: Type<T>,
  name: string,
): Type<{ items: T[]; total: number; page: number; limit: number }> {
  class PageOf {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ description: 'items matching the filter, all pages' })
    total: number;

    @ApiProperty()
    page: number;

    @ApiProperty()
    limit: number;
  }
  Object.defineProperty(PageOf, 'name', { value: name });
  return PageOf;
}
