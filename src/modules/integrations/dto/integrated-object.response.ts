import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../common/http/audited.response';
import { IntegratedObject } from '../integrated-object.entity';
import { PageOf } from '../../../common/http/collections';

export class IntegratedObjectResponse extends AuditedResponse {
  @ApiProperty()
  platform: string;

  @ApiProperty({ description: "The object's id on its platform" })
  originalId: string;

  @ApiProperty()
  objectType: string;

  @ApiProperty({ type: String, nullable: true })
  companyId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  originalData: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true })
  integratedContent: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true })
  summary: string | null;

  static from(object: IntegratedObject): IntegratedObjectResponse {
    return Object.assign(auditedFields(object), {
      platform: object.platform,
      originalId: object.originalId,
      objectType: object.objectType,
      companyId: object.companyId,
      originalData: object.originalData,
      integratedContent: object.integratedContent,
      metadata: object.metadata,
      summary: object.summary,
    });
  }
}

export class IntegratedObjectPage extends PageOf(IntegratedObjectResponse) {}

export class IntegratedObjectList {
  @ApiProperty({ type: [IntegratedObjectResponse], description: 'In the order of the request, each as stored after its import' })
  items: IntegratedObjectResponse[];
}
