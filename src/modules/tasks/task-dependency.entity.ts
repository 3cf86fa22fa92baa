import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Task } from './task.entity';

/** `taskId` may start only once `dependsOnTaskId` has completed. Cycles are refused by the service. */
@Entity('task_dependencies')
@Index(['dependsOnTaskId'])
export class TaskDependency {
  @PrimaryColumn('uuid')
  taskId: string;

  @PrimaryColumn('uuid')
  dependsOnTaskId: string;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id' })
  task?: Task;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'depends_on_task_id' })
  dependsOn?: Task;

  @Column({ type: 'text' })
  tenantId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
