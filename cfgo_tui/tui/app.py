"""The cfgo-tui app: status bar, channel sidebar, tabs (live, presence, history, frames, events).

Data flows one way: the client worker feeds the store (`Bridge`), and a timer (`FLUSH_HZ`) moves
what changed into the visible widgets inside `batch_update()`. Nothing is posted per message.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from cfgo_tui.client.codes import describe
from cfgo_tui.client.errors import CentrifugoError
from cfgo_tui.store import Record, Store, SubscribeOptions, export_ndjson
from cfgo_tui.tui.bridge import Bridge, SubTokenFactory, error_text
from cfgo_tui.tui.commands import ChannelCommands
from cfgo_tui.tui.explain import failure_text
from cfgo_tui.tui.screens.export import ExportScreen
from cfgo_tui.tui.screens.help import HelpScreen
from cfgo_tui.tui.screens.publish import PublishScreen
from cfgo_tui.tui.screens.subscribe import SubscribeRequest, SubscribeScreen
from cfgo_tui.tui.session import AppOptions, ServerApi, Session
from cfgo_tui.tui.state import UiState
from cfgo_tui.tui.widgets.history_panel import HistoryPanel
from cfgo_tui.tui.widgets.live_pane import LivePane
from cfgo_tui.tui.widgets.log_panel import EventsPanel, FramesPanel
from cfgo_tui.tui.widgets.presence_panel import PresencePanel
from cfgo_tui.tui.widgets.record_view import RecordView
from cfgo_tui.tui.widgets.sidebar import ChannelList, Sidebar
from cfgo_tui.tui.widgets.status_bar import StatusBar

FLUSH_HZ = 15
W = TypeVar("W", bound=Widget)
SIDEBAR_PERIOD = 0.5  # counters in the sidebar change every flush; redraw them twice a second
TABS = ("live", "presence", "history", "frames", "events")
# Python's default (700, 10, 10) made a flood pay for garbage collection twice: every record
# outlives the young generations (it stays in a ring buffer for 10,000 messages), so at 20k msg/s
# the cyclic collector ran a full collection about once a second, each a 100 ms pause of the
# event loop (keys and screen updates wait behind it), 30% of the app's CPU in all. Records and
# decoded payloads are freed by reference counting; the collector only needs to find the odd
# cycle, and with a young threshold of 10,000 it does so at a few percent of that cost.
GC_THRESHOLDS = (10_000, 20, 20)


class CfgoApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "cfgo-tui"
    AUTO_FOCUS = "#messages"  # the live pane, not whichever input comes first
    COMMANDS = App.COMMANDS | {ChannelCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (180, "-xwide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="app.sidebar"),
        Binding("a", "subscribe", "Add", id="app.subscribe"),
        Binding("u", "unsubscribe", "Unsub", id="app.unsubscribe"),
        Binding("w", "publish", "Publish", id="app.publish"),
        Binding("r", "discover", "Discover", show=False, id="app.discover"),
        Binding("1", "show_tab('live')", "Live", show=False, id="app.tab_live"),
        Binding("2", "show_tab('presence')", "Presence", show=False, id="app.tab_presence"),
        Binding("3", "show_tab('history')", "History", show=False, id="app.tab_history"),
        Binding("4", "show_tab('frames')", "Frames", show=False, id="app.tab_frames"),
        Binding("5", "show_tab('events')", "Events", show=False, id="app.tab_events"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        # Declared here (Textual then adds none of its own) so that it has an id the help
        # screen shows and a profile's keymap can rebind.
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            id="app.palette",
        ),
    ]

    def __init__(
        self,
        session: Session,
        options: AppOptions | None = None,
        *,
        api: ServerApi | None = None,
        sub_tokens: SubTokenFactory | None = None,
        expand: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.time,
        state_path: Path | None = None,
        flush_hz: float = FLUSH_HZ,
    ) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.clock = clock
        self.store = Store(self.options.retention, clock=clock)
        self.bridge = Bridge(
            session, self.store, self.options, api=api, sub_tokens=sub_tokens, expand=expand
        )
        self.state_path = state_path
        self.ui_state = UiState.load(state_path)
        self.flush_hz = flush_hz
        self.discovered: list[str] = []
        self._sidebar_drawn = -1.0
        self._channels_version = -1
        self._failure_key: object = None
        self._gc_thresholds: tuple[int, int, int] = gc.get_threshold()
        self._keymap_problems: list[str] = []
        if self.options.keymap:
            self.set_keymap(self._resolve_keymap(self.options.keymap))

    def key_sections(self) -> list[tuple[str, list[BindingType]]]:
        """Every key of the app by where it works: the help screen lists these, and a profile's
        keymap names them by their ids."""
        return [
            ("Everywhere", list(self.BINDINGS)),
            ("Live pane", [*LivePane.BINDINGS, *RecordView.BINDINGS]),
            ("Channel sidebar", [*Sidebar.BINDINGS, *ChannelList.BINDINGS]),
            ("Presence", list(PresencePanel.BINDINGS)),
            ("History", list(HistoryPanel.BINDINGS)),
            ("Publish form", list(PublishScreen.BINDINGS)),
            ("Subscribe dialog", list(SubscribeScreen.BINDINGS)),
            ("Export dialog", list(ExportScreen.BINDINGS)),
            ("Help", list(HelpScreen.BINDINGS)),
        ]

    def binding_ids(self) -> set[str]:
        return {
            b.id
            for _, bindings in self.key_sections()
            for b in bindings
            if isinstance(b, Binding) and b.id
        }

    def _resolve_keymap(self, keymap: dict[str, str]) -> dict[str, str]:
        """Binding ids as the help screen shows them; a bare name (`pause`) matches the one id
        ending in `.pause`. Unknown names are reported once the app is up."""
        ids = self.binding_ids()
        resolved: dict[str, str] = {}
        for name, keys in keymap.items():
            if name in ids:
                resolved[name] = keys
                continue
            matches = sorted(i for i in ids if i.endswith(f".{name}"))
            if len(matches) == 1:
                resolved[matches[0]] = keys
            else:
                choices = ", ".join(matches) if matches else "see ? for the ids"
                self._keymap_problems.append(f"keymap: no single binding `{name}` ({choices})")
        return resolved

    # layout
    def compose(self) -> ComposeResult:
        yield StatusBar(self.options, id="status")
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with TabbedContent(initial="live", id="tabs"):
                with TabPane("1 Live", id="live"):
                    yield LivePane(self.store, id="live-pane")
                with TabPane("2 Presence", id="presence"):
                    yield PresencePanel(id="presence-panel")
                with TabPane("3 History", id="history"):
                    yield HistoryPanel(self.bridge, id="history-panel")
                with TabPane("4 Frames", id="frames"):
                    yield FramesPanel(id="frames-panel")
                with TabPane("5 Events", id="events"):
                    yield EventsPanel(id="events-panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        theme = self.ui_state.theme or self.options.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self.notify(f"theme {theme!r} is not known; ctrl+p > theme lists them", timeout=8)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.bridge.api is None:
            # discovery needs the server API: say so instead of an empty, silent section
            sidebar = self.main_query("#sidebar", Sidebar)
            sidebar.query_one("#discover-pattern").display = False
            sidebar.query_one("#discovered-title", Label).update("Discovered: needs api.key")
        else:
            self.action_discover()  # once at start, so the section is never blank; `r` refreshes
        for problem in self._keymap_problems:
            self.notify(problem, severity="warning", timeout=10)
        self._flush_timer = self.set_interval(1 / self.flush_hz, self.flush)
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        self.run_session()

    def main_query(self, selector: str, expect_type: type[W]) -> W:
        """A widget of the main screen, also while a modal screen is on top."""
        if not self.screen_stack:
            raise NoMatches(f"{selector}: the app is shutting down")
        return self.screen_stack[0].query_one(selector, expect_type)

    def _remember_theme(self, _theme: Any) -> None:
        self.ui_state.theme = self.theme
        self.ui_state.save(self.state_path)

    @work(exclusive=True, exit_on_error=False, group="session")
    async def run_session(self) -> None:
        await self.bridge.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that died of an unexpected error says so instead of vanishing."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            text = f"{event.worker.name or 'task'} failed: {error_text(error) if error else '?'}"
            self.store.note("error", text)
            self.notify(text, severity="error", timeout=10)

    async def on_unmount(self) -> None:
        self._flush_timer.stop()
        gc.set_threshold(*self._gc_thresholds)  # the process outlives the app (tests, pilots)
        await self.bridge.close()

    # the timer: the only place widgets learn about new data
    def flush(self) -> None:
        if not self.screen_stack:
            return  # the app is shutting down
        with contextlib.suppress(NoMatches):  # the main screen is torn down at exit
            self._flush_widgets()

    def _flush_widgets(self) -> None:
        store = self.store
        now = self.clock()
        with self.batch_update():
            self.main_query("#status", StatusBar).refresh_from(store, now)
            sidebar = self.main_query("#sidebar", Sidebar)
            if sidebar.display and (
                store.channels_version != self._channels_version
                or now - self._sidebar_drawn >= SIDEBAR_PERIOD
            ):
                self._channels_version = store.channels_version
                self._sidebar_drawn = now
                sidebar.refresh_from(store)
            active = self.main_query("#tabs", TabbedContent).active
            if active == "live":
                live = self.main_query("#live-pane", LivePane)
                live.refresh_from(store)
                self._refresh_failure(live)
            elif active == "presence":
                self.main_query("#presence-panel", PresencePanel).refresh_from(store)
            elif active == "frames":
                self.main_query("#frames-panel", FramesPanel).refresh_from(store)
            elif active == "events":
                self.main_query("#events-panel", EventsPanel).refresh_from(store)

    def _refresh_failure(self, live: LivePane) -> None:
        state = self.store.channels.get(self.store.selected or "")
        error = state.error if state else None
        key = (
            self.store.selected,
            state.state if state else None,
            error,
            bool(state and state.used_token),
        )
        if key == self._failure_key:
            return
        self._failure_key = key
        live.show_failure(failure_text(state, self.clock()) if state else None)

    # selection
    @on(Sidebar.Selected)
    def _sidebar_selected(self, event: Sidebar.Selected) -> None:
        self.select_channel(event.channel)

    def select_channel(self, channel: str | None) -> None:
        if channel == self.store.selected:
            return
        self.store.select(channel)
        self.refresh_bindings()  # `u` shows only with a channel selected
        self.main_query("#history-panel", HistoryPanel).set_channel(channel)
        if self.main_query("#tabs", TabbedContent).active == "presence" and channel:
            self.action_load_presence()

    @on(Sidebar.Discovered)
    def _discovered(self, event: Sidebar.Discovered) -> None:
        if event.channel in self.store.channels:
            self.select_channel(event.channel)
        else:
            self.open_subscribe(event.channel)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "presence" and self.store.selected:
            self.action_load_presence()
        self.flush()

    # actions
    def action_show_tab(self, tab: str) -> None:
        self.main_query("#tabs", TabbedContent).active = tab
        pane = self.main_query(f"#{tab}", TabPane)
        for view in pane.query("RecordView, DataTable"):
            if view.focusable:
                view.focus()
                break

    def action_toggle_sidebar(self) -> None:
        sidebar = self.main_query("#sidebar", Sidebar)
        shown = sidebar.display
        sidebar.set_class(not shown, "-shown")
        sidebar.set_class(shown, "-hidden")
        if not shown:
            sidebar.query_one("#channels").focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_sections()))

    def action_subscribe(self) -> None:
        self.open_subscribe("")

    def open_subscribe(self, channel: str) -> None:
        self.push_screen(SubscribeScreen(channel), self._subscribe_chosen)

    def _subscribe_chosen(self, request: SubscribeRequest | None) -> None:
        if request is not None:
            channel, options = request
            self.subscribe_channel(channel, options)

    @work(group="intents", exit_on_error=False)
    async def subscribe_channel(self, channel: str, options: SubscribeOptions) -> None:
        await self.bridge.subscribe(channel, options)
        self.select_channel(channel)

    def action_unsubscribe(self) -> None:
        if self.store.selected:
            self.remove_channel(self.store.selected)

    def action_remove_channel(self, channel: str) -> None:
        self.remove_channel(channel)

    @work(group="intents", exit_on_error=False)
    async def remove_channel(self, channel: str) -> None:
        await self.bridge.unsubscribe(channel)
        self.notify(f"unsubscribed from {channel}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # hidden (not just disabled) when nothing is selected to unsubscribe
        return not (action == "unsubscribe" and not self.store.selected)

    def action_publish(self) -> None:
        self.push_screen(
            PublishScreen(
                self._publish,
                channel=self.store.selected or "",
                recent=self.ui_state.recent_payloads,
                has_api=self.bridge.api is not None,
                remember=self._remember_payload,
            )
        )

    async def _publish(self, channel: str, data: Any, via_api: bool) -> str:
        return await self.bridge.publish(channel, data, via_api=via_api)

    def _remember_payload(self, payload: str) -> None:
        self.ui_state.remember_payload(payload)
        self.ui_state.save(self.state_path)

    @work(group="presence", exclusive=True, exit_on_error=False)
    async def action_load_presence(self) -> None:
        channel = self.store.selected
        panel = self.main_query("#presence-panel", PresencePanel)
        if channel is None:
            return
        try:
            counts = await self.bridge.load_presence(channel)
        except CentrifugoError as error:
            panel.set_answer(
                channel, None, Text(f"✕ presence of {channel}: {error_text(error)}", "bold red")
            )
            self.store.note(
                "error",
                f"presence of {channel}: {error_text(error)}",
                code=getattr(error, "code", None),
                channel=channel,
            )
        else:
            panel.set_answer(channel, counts, "")
        panel.refresh_from(self.store)

    @work(group="discover", exclusive=True, exit_on_error=False)
    async def action_discover(self) -> None:
        if self.bridge.api is None:
            self.notify(
                "discovery needs the server API: add `api.key` to the profile", severity="warning"
            )
            return
        try:
            pattern = self.main_query("#sidebar", Sidebar).pattern or self.options.discover_pattern
            found = await self.bridge.discover(pattern)
        except Exception as error:  # the API layer raises its own typed errors with hints
            self.notify(f"channels: {error_text(error)}", severity="error")
            return
        self.discovered = [name for name, _ in found]
        self.main_query("#sidebar", Sidebar).show_discovered(found, set(self.store.channels))

    def action_export(self) -> None:
        channel = self.store.selected
        what = f"the buffer of {channel}" if channel else "the buffer of all channels"
        self.export_records(list(self.store.records(channel)), what, channel or "all")

    def export_records(self, records: list[Record], what: str, name: str) -> None:
        """Ask where, then write `records` as NDJSON (secrets redacted)."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.clock()))
        slug = name.replace(":", "_").replace("$", "").replace("/", "_").replace("#", "_")
        default = Path.cwd() / f"cfgo-{slug}-{stamp}.ndjson"
        self.push_screen(ExportScreen(what, default), lambda path: self._export_to(path, records))

    def _export_to(self, path: Path | None, records: list[Record]) -> None:
        if path is None:
            return
        try:
            count = export_ndjson(records, path)
        except OSError as error:
            self.notify(f"export failed: {error.strerror or error}: {path}", severity="error")
            return
        self.notify(f"exported {count:,} messages to {path}")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Subscribe", "add a channel with options", self.action_subscribe)
        yield SystemCommand("Publish", "open the publish form", self.action_publish)
        yield SystemCommand(
            "Pause / resume",
            "the live pane",
            lambda: self.main_query("#live-pane", LivePane).action_toggle_pause(),
        )
        yield SystemCommand("Export", "buffer to NDJSON", self.action_export)
        yield SystemCommand("Discover channels", "over the server API", self.action_discover)
        yield SystemCommand("Toggle sidebar", "ctrl+b", self.action_toggle_sidebar)
        yield SystemCommand("Help", "every key", self.action_help)
        for tab in TABS:
            yield SystemCommand(
                f"Show {tab}", f"the {tab} tab", lambda tab=tab: self.action_show_tab(tab)
            )

    def describe_code(self, code: int) -> str:
        return describe(code).label()
