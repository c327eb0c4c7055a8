import type { FunctionComponent } from 'preact';

import type { ViewProps } from '../lib/view';
import ActivityView from './activity';
import BypassesView from './bypasses';
import CostView from './cost';
import ExplorerView from './explorer';
import FindingsView from './findings';
import GatesView from './gates';
import KanbanView from './kanban';
import KnowledgeView from './knowledge';
import OverviewView from './overview';
import ResourcesView from './resources';
import ReviewsView from './reviews';
import TimelineView from './timeline';

/** A dashboard view: its route id (`#/<id>`), its name in the navigation, its component. */
export interface ViewEntry {
  id: string;
  title: string;
  group: 'Delivery' | 'Quality' | 'Operations';
  component: FunctionComponent<ViewProps>;
}

/** Every view, in navigation order. `sessions/<id>` is one session's timeline. */
export const VIEWS: readonly ViewEntry[] = [
  { id: 'overview', title: 'Overview', group: 'Delivery', component: OverviewView },
  { id: 'kanban', title: 'Kanban', group: 'Delivery', component: KanbanView },
  { id: 'cost', title: 'Cost and tokens', group: 'Delivery', component: CostView },
  { id: 'reviews', title: 'Reviews', group: 'Quality', component: ReviewsView },
  { id: 'findings', title: 'Findings heatmap', group: 'Quality', component: FindingsView },
  { id: 'knowledge', title: 'Knowledge health', group: 'Quality', component: KnowledgeView },
  { id: 'bypasses', title: 'Bypass monitor', group: 'Quality', component: BypassesView },
  { id: 'gates', title: 'Quality gates', group: 'Quality', component: GatesView },
  { id: 'resources', title: 'Resources', group: 'Operations', component: ResourcesView },
  { id: 'activity', title: 'Agent activity', group: 'Operations', component: ActivityView },
  { id: 'explorer', title: 'Event explorer', group: 'Operations', component: ExplorerView },
  { id: 'sessions', title: 'Sessions', group: 'Operations', component: TimelineView },
];

/** The view shown at `/` and for an empty hash. */
export const DEFAULT_VIEW = 'overview';
