import { Module } from '@nestjs/common';
import { ModelController } from './model.controller';
import { ModelRepository } from './model.repository';
import { ModelService } from './model.service';

/** Registered models: CreateModel, GetModel, ListModels. */
@Module({
  controllers: [ModelController],
  providers: [ModelRepository, ModelService],
  exports: [ModelService],
})
export class ModelModule {}
