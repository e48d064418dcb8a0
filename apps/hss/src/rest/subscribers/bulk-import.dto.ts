import { ApiProperty } from '@nestjs/swagger';

export class BulkRowErrorView {
  @ApiProperty({ description: '1-based data row (CSV: the header is not counted)' })
  row: number;
  @ApiProperty({ required: false, description: 'CSV only: the line in the file' })
  line?: number;
  @ApiProperty({ example: 'k' })
  field: string;
  @ApiProperty({ example: 'k must be 32 hex characters' })
  message: string;
}

export class BulkImportResultView {
  @ApiProperty({ description: 'subscribers stored' })
  imported: number;
  @ApiProperty({ description: 'rows read' })
  rows: number;
}

/** The whole file is refused: nothing was imported. */
export class BulkImportRejectedView {
  @ApiProperty() statusCode: number;
  @ApiProperty() message: string;
  @ApiProperty() imported: 0;
  @ApiProperty({ description: 'number of bad rows (errors lists at most 1000)' })
  errorCount: number;
  @ApiProperty({ type: [BulkRowErrorView] }) errors: BulkRowErrorView[];
}
