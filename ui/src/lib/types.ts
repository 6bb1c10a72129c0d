// Wire types of the Tauri commands. The shapes come from Rust (ts-rs, generated into
// ./bindings/ and checked by the Rust tests); this module re-exports them under the names the
// UI uses and adds the value lists the UI iterates over.
import type { Status } from './bindings/Status';
import type { Priority } from './bindings/Priority';
import type { Kind } from './bindings/Kind';
import type { Tier } from './bindings/Tier';
import type { TargetKind } from './bindings/TargetKind';
import type { TargetReport } from './bindings/TargetReport';
import type { CreateTicketInput } from './bindings/CreateTicketInput';
import type { UpdateTicketInput } from './bindings/UpdateTicketInput';
import type { WorkspaceInput } from './bindings/WorkspaceInput';
import type { SortOrder } from './bindings/SortOrder';
import type { EventKind } from './bindings/EventKind';

export type { Status, Priority, Kind, Tier };
export type { ApiError } from './bindings/ApiError';
export type { ReportFile } from './bindings/ReportFile';
export type { WorkspaceRules } from './bindings/WorkspaceRules';
export type { Directory } from './bindings/Directory';
export type { Stage } from './bindings/Stage';
export type { Role } from './bindings/Role';
export type { PersonView } from './bindings/PersonView';
export type { PersonDraft } from './bindings/PersonDraft';
export type { PersonPatch } from './bindings/PersonPatch';
export type { RulesChange } from './bindings/RulesChange';
export type { CalendarSpec } from './bindings/CalendarSpec';
export type { WorkingWindow } from './bindings/WorkingWindow';
export type { PriorityTargets } from './bindings/PriorityTargets';
export type { TargetSpec } from './bindings/TargetSpec';
export type { AttachmentUpload } from './bindings/AttachmentUpload';
export type { WorkOrderView } from './bindings/WorkOrderView';
export type { TimeSheet } from './bindings/TimeSheet';
export type { Dashboard } from './bindings/Dashboard';
export type { Figures } from './bindings/Figures';
export type { GroupRow } from './bindings/GroupRow';
export type { ReportDrill } from './bindings/ReportDrill';
export type { ReportFilter } from './bindings/ReportFilter';
export type { ReportGroup } from './bindings/ReportGroup';
export type { DrillCohort } from './bindings/DrillCohort';
export type { TimeEntryView } from './bindings/TimeEntryView';
export type { TimeTotal } from './bindings/TimeTotal';
export type { TimeGroup } from './bindings/TimeGroup';
export type { MaintenancePlan } from './bindings/MaintenancePlan';
export type { ChecklistTemplate } from './bindings/ChecklistTemplate';
export type { TemplateItem } from './bindings/TemplateItem';
export type { PeriodUnit } from './bindings/PeriodUnit';
export type { WorkOrderCreate } from './bindings/WorkOrderCreate';
export type { WorkOrderStatus } from './bindings/WorkOrderStatus';
export type { ChecklistItem } from './bindings/ChecklistItem';
export type { Missing } from './bindings/Missing';
export type { TimeKind } from './bindings/TimeKind';
export type { Part } from './bindings/Part';
export type { RunningTimer } from './bindings/RunningTimer';
export type { AttachmentView } from './bindings/AttachmentView';
export type { AppInfo } from './bindings/AppInfo';
export type { AssigneeFilter } from './bindings/AssigneeFilter';
export type { ViewEntry } from './bindings/ViewEntry';
export type { Availability } from './bindings/Availability';
export type { Assign } from './bindings/Assign';
export type { AssignmentRule } from './bindings/AssignmentRule';
export type { Condition } from './bindings/Condition';
export type { EscalationRule } from './bindings/EscalationRule';
export type { Channel } from './bindings/Channel';
export type { CommentView } from './bindings/CommentView';
export type { Csat } from './bindings/Csat';
export type { ErrorCode } from './bindings/ErrorCode';
export type { EventView } from './bindings/EventView';
export type { MonitorCounts } from './bindings/MonitorCounts';
export type { NotificationPrefs } from './bindings/NotificationPrefs';
export type { EventKind } from './bindings/EventKind';
export type { QueueCounts } from './bindings/QueueCounts';
export type { Resolution } from './bindings/Resolution';
export type { SearchHit } from './bindings/SearchHit';
export type { SearchPage } from './bindings/SearchPage';
export type { Settings } from './bindings/Settings';
export type { SignInInput } from './bindings/SignInInput';
export type { ConnectPreview } from './bindings/ConnectPreview';
export type { ConnectResult } from './bindings/ConnectResult';
export type { SyncPhaseView } from './bindings/SyncPhaseView';
export type { SyncView } from './bindings/SyncView';
export type { SlaState } from './bindings/SlaState';
export type { SlaView } from './bindings/SlaView';
export type { TicketDetail } from './bindings/TicketDetail';
export type { TicketFilter } from './bindings/TicketFilter';
export type { TicketPage } from './bindings/TicketPage';
export type { TicketView } from './bindings/TicketView';
export type { UserRef } from './bindings/UserRef';
export type { WorkspaceInfo } from './bindings/WorkspaceInfo';
export type { FollowUpTask } from './bindings/FollowUpTask';
export type { ArticleView } from './bindings/ArticleView';
export type { FileRef } from './bindings/FileRef';
export type { Escalation } from './bindings/Escalation';
export type { Macro } from './bindings/Macro';
export type { MacroInput } from './bindings/MacroInput';
export type { BulkChange } from './bindings/BulkChange';
export type { BulkOutcome } from './bindings/BulkOutcome';
export type { BulkPrevious } from './bindings/BulkPrevious';
export type { PresenceView } from './bindings/PresenceView';
export type { ArticleHit } from './bindings/ArticleHit';
export type { ArticleInput } from './bindings/ArticleInput';
export type { ArticleFields } from './bindings/ArticleFields';
export type { ArticleStatus } from './bindings/ArticleStatus';
export type { ArticleLang } from './bindings/ArticleLang';
export type { Audience } from './bindings/Audience';
export type { ScriptStep } from './bindings/ScriptStep';
export type { KbGap } from './bindings/KbGap';
export type { UpkeepItem } from './bindings/UpkeepItem';
export type { DiagnosisStep } from './bindings/DiagnosisStep';
export type { FollowUpView } from './bindings/FollowUpView';
export type { CallbackView } from './bindings/CallbackView';
export type { Level } from './bindings/Level';
export type { Outcome } from './bindings/Outcome';

export const STATUSES: readonly Status[] = [
  'new',
  'open',
  'in_progress',
  'pending_customer',
  'on_hold',
  'resolved',
  'closed',
];
export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const KINDS: readonly Kind[] = ['incident', 'request', 'question', 'complaint'];
export const TIERS: readonly Tier[] = ['L1', 'L2', 'L3'];
export const SLA_TARGETS: readonly TargetKind[] = ['first_response', 'next_update', 'resolution'];

/** A UI language (the settings may also say 'system'). */
export type Language = 'en' | 'zh';
export type SlaTarget = TargetReport;
export type SortKey = SortOrder;
export type WorkspaceCreateInput = WorkspaceInput;
/** Create-ticket fields; the ones left out are sent as null. */
export type TicketCreateInput = Pick<CreateTicketInput, 'title' | 'body'> & Partial<CreateTicketInput>;
/** A partial update; the fields left out are sent as null (unchanged). */
export type TicketUpdateInput = Partial<UpdateTicketInput>;
/** The notifications a customer gets (about their own requests); the rest are the desk's. */
export const CUSTOMER_EVENT_KINDS: readonly EventKind[] = [
  'public_reply',
  'status_changed',
  'resolved_awaiting_confirmation',
  'followup_scheduled',
];
export const EVENT_KINDS: readonly EventKind[] = [
  'at_risk',
  'breached',
  'p1_update_due',
  'assigned_to_me',
  'followup_assigned',
  'sla_escalation',
  'public_reply',
  'status_changed',
  'resolved_awaiting_confirmation',
];
