import { Component, type ComponentChildren } from 'preact';

interface Props {
  viewId: string;
  children?: ComponentChildren;
}

/** Keeps a failing view from taking the shell down: it shows the view in its error state. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static override getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidUpdate(previous: Props) {
    if (previous.viewId !== this.props.viewId && this.state.error) this.setState({ error: null });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section class="view" data-view={this.props.viewId} data-state="error">
        <div class="view-error" role="alert" data-testid="view-error">
          <strong>This view failed.</strong> <span>{error.message}</span>
          <button type="button" class="button" onClick={() => this.setState({ error: null })}>
            Retry
          </button>
        </div>
      </section>
    );
  }
}
