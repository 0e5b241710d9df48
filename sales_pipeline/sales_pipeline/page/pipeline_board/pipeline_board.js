// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

// The Pipeline Board: open opportunities by sales stage, one currency at a time. Dragging a card to
// another column moves the opportunity to that stage (the server decides; a refused move puts the
// card back), dropping it on Lost or Closed takes it off the board.
const BOARD_API = "sales_pipeline.sales_pipeline.page.pipeline_board.pipeline_board.";
const PAGE_LENGTH = 20;
const FOLLOW_UP_STATES = {
	overdue: { label: __("Overdue"), color: "red" },
	today: { label: __("Today"), color: "orange" },
	planned: { label: __("Planned"), color: "gray" },
	none: { label: __("No follow-up"), color: "yellow" },
};

frappe.pages["pipeline-board"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({
		parent: wrapper,
		title: __("Pipeline Board"),
		single_column: true,
	});
	wrapper.pipeline_board = new PipelineBoard(page);
};

frappe.pages["pipeline-board"].on_page_show = function (wrapper) {
	wrapper.pipeline_board.apply_route_options();
	wrapper.pipeline_board.refresh();
};

class PipelineBoard {
	constructor(page) {
		this.page = page;
		this.columns = [];
		this.make_filters();
		this.$board = $('<div class="pipeline-board"></div>').appendTo(page.main);
	}

	make_filters() {
		const refresh = frappe.utils.debounce(() => this.refresh(), 300);
		const add = (df) => this.page.add_field({ ...df, change: refresh });
		this.filters = {
			currency: add({
				fieldname: "currency",
				fieldtype: "Link",
				options: "Currency",
				label: __("Currency"),
				default: frappe.boot.sysdefaults.currency,
				// Frappe gives a Sales Manager without Sales User no read on Currency: the app's own
				// search, and the server checks the currency exists.
				get_query: () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }),
				ignore_link_validation: 1,
			}),
			opportunity_owner: add({
				fieldname: "opportunity_owner",
				fieldtype: "Link",
				options: "User",
				label: __("Opportunity Owner"),
			}),
			opportunity_from: add({
				fieldname: "opportunity_from",
				fieldtype: "Select",
				options: ["", "Pipeline Lead", "Pipeline Customer"],
				label: __("Opportunity From"),
			}),
			party_name: add({
				fieldname: "party_name",
				fieldtype: "Dynamic Link",
				label: __("Party"),
				get_options: () => this.filters.opportunity_from.get_value(),
			}),
			expected_closing_from: add({
				fieldname: "expected_closing_from",
				fieldtype: "Date",
				label: __("Expected Closing From"),
			}),
			expected_closing_to: add({
				fieldname: "expected_closing_to",
				fieldtype: "Date",
				label: __("Expected Closing To"),
			}),
		};
		this.page.add_inner_button(__("My Deals"), () =>
			this.filters.opportunity_owner.set_value(frappe.session.user)
		);
		this.page.add_inner_button(__("All Deals"), () => this.filters.opportunity_owner.set_value(""));
		this.page.set_secondary_action(__("Refresh"), () => this.refresh(), "refresh");
	}

	// Filters in the link that opened the board: /app/pipeline-board?currency=EUR
	apply_route_options() {
		const options = frappe.route_options || {};
		frappe.route_options = null;
		for (const [fieldname, value] of Object.entries(options)) {
			const control = this.filters[fieldname];
			if (control) control.set_input(value);
		}
	}

	get_filters() {
		const filters = {};
		for (const [fieldname, control] of Object.entries(this.filters)) {
			const value = control.get_value();
			if (value) filters[fieldname] = value;
		}
		if (!filters.opportunity_from) delete filters.party_name;
		return filters;
	}

	refresh() {
		const filters = this.get_filters();
		this.request_filters = JSON.stringify(filters);
		const request = this.request_filters;
		return frappe.xcall(BOARD_API + "get_board", { filters, page_length: PAGE_LENGTH }).then((board) => {
			// A later change of the filters has asked again meanwhile.
			if (request !== this.request_filters) return;
			this.render(board);
		});
	}

	render(board) {
		this.currency = board.currency;
		this.can_write = board.can_write;
		this.columns = board.columns;
		this.$board.empty();
		if (!this.can_write) {
			this.$board.append(
				`<div class="pipeline-board-read-only text-muted small">${__(
					"Read only: you may not change these opportunities."
				)}</div>`
			);
		}
		const $columns = $('<div class="pipeline-board-columns"></div>').appendTo(this.$board);
		for (const column of this.columns) {
			column.$el = this.make_column(column).appendTo($columns);
			this.update_column(column);
		}
		if (this.can_write) this.make_drop_zones();
		this.setup_sortable();
	}

	make_column(column) {
		const title = column.sales_stage ? frappe.utils.escape_html(column.sales_stage) : __("No Stage");
		const $column = $(`
			<div class="pipeline-column">
				<div class="pipeline-column-head">
					<div class="pipeline-column-title">${title}</div>
					<div class="pipeline-column-totals text-muted small">
						<span class="pipeline-column-count"></span> ·
						<span class="pipeline-column-amount"></span>
						<div>${__("Weighted")}: <span class="pipeline-column-weighted"></span></div>
					</div>
				</div>
				<div class="pipeline-cards"></div>
				<button class="btn btn-xs btn-default pipeline-load-more">${__("Load More")}</button>
			</div>
		`);
		$column.attr("data-stage", column.sales_stage || "");
		const $cards = $column.find(".pipeline-cards");
		$cards.attr("data-stage", column.sales_stage || "");
		for (const card of column.cards) $cards.append(this.make_card(card));
		$column.find(".pipeline-load-more").on("click", () => this.load_more(column));
		return $column;
	}

	make_card(card) {
		const state = FOLLOW_UP_STATES[card.follow_up_state] || FOLLOW_UP_STATES.none;
		const follow_up = card.contact_date
			? `${state.label}: ${frappe.datetime.str_to_user(card.contact_date)}`
			: state.label;
		const closing = card.expected_closing
			? `${__("Closing")} ${frappe.datetime.str_to_user(card.expected_closing)}`
			: __("No expected closing");
		const days = __("{0} days in stage", [card.days_in_stage]);
		const $card = $(`
			<div class="pipeline-card ${card.stale ? "pipeline-card-stale" : ""}">
				<div class="pipeline-card-title ellipsis">${frappe.utils.escape_html(card.title || card.name)}</div>
				<div class="pipeline-card-amount">
					${format_currency(card.opportunity_amount, card.currency || this.currency)}
					<span class="text-muted">· ${flt(card.probability)}%</span>
				</div>
				<div class="pipeline-card-closing text-muted small">${closing}</div>
				<div class="pipeline-card-footer">
					<span class="pipeline-card-owner">${
						card.opportunity_owner ? frappe.avatar(card.opportunity_owner, "avatar-xs") : ""
					}</span>
					<span class="indicator-pill ${state.color} pipeline-follow-up" data-state="${
			card.follow_up_state
		}">${frappe.utils.escape_html(follow_up)}</span>
				</div>
				<div class="pipeline-card-days small ${card.stale ? "text-danger" : "text-muted"}">${days}${
			card.stale ? " · " + __("stale") : ""
		}</div>
			</div>
		`);
		$card.attr("data-name", card.name);
		$card.data("card", card);
		$card.on("click", () => {
			if (this.dragging) return;
			frappe.set_route("Form", "Pipeline Opportunity", card.name);
		});
		return $card;
	}

	update_column(column) {
		const $el = column.$el;
		$el.find(".pipeline-column-count").text(__("{0} open", [column.count]));
		$el.find(".pipeline-column-amount").text(format_currency(column.amount, this.currency));
		$el.find(".pipeline-column-weighted").text(format_currency(column.weighted_amount, this.currency));
		const shown = $el.find(".pipeline-card").length;
		$el.find(".pipeline-load-more").toggle(shown < column.count);
	}

	load_more(column) {
		const $cards = column.$el.find(".pipeline-cards");
		return frappe
			.xcall(BOARD_API + "get_column", {
				sales_stage: column.sales_stage || "",
				filters: this.get_filters(),
				start: $cards.find(".pipeline-card").length,
				page_length: PAGE_LENGTH,
			})
			.then(({ count, cards }) => {
				column.count = count;
				for (const card of cards) {
					// A card moved here meanwhile is already shown.
					if (!$cards.find(`.pipeline-card[data-name="${CSS.escape(card.name)}"]`).length) {
						$cards.append(this.make_card(card));
					}
				}
				this.update_column(column);
			});
	}

	make_drop_zones() {
		this.$zones = $(`
			<div class="pipeline-drop-zones">
				<div class="pipeline-drop-zone pipeline-drop-lost" data-zone="lost">${__("Drop here: Lost")}</div>
				<div class="pipeline-drop-zone pipeline-drop-closed" data-zone="closed">${__("Drop here: Closed")}</div>
			</div>
		`).appendTo(this.$board);
	}

	setup_sortable() {
		if (!this.can_write) return;
		const group = { name: "pipeline-cards", pull: true, put: true };
		this.$board.find(".pipeline-cards").each((_, el) => {
			Sortable.create(el, {
				group,
				sort: false,
				animation: 150,
				// Mouse events rather than the browser's drag and drop: the same in every browser.
				forceFallback: true,
				onStart: () => {
					this.dragging = true;
					this.$board.addClass("pipeline-board-dragging");
				},
				onEnd: (event) => {
					this.$board.removeClass("pipeline-board-dragging");
					// The click that ends a drag must not open the opportunity.
					setTimeout(() => (this.dragging = false), 100);
					this.on_drop(event);
				},
			});
		});
		this.$zones.find(".pipeline-drop-zone").each((_, el) => {
			Sortable.create(el, { group: { name: "pipeline-cards", pull: false, put: true }, sort: false });
		});
	}

	column_of(element) {
		const stage = $(element).attr("data-stage") || null;
		return this.columns.find((column) => (column.sales_stage || null) === stage);
	}

	put_back(event) {
		const from = event.from;
		const before = from.children[event.oldIndex];
		from.insertBefore(event.item, before || null);
	}

	on_drop(event) {
		if (event.from === event.to) return;
		const $card = $(event.item);
		const card = $card.data("card");
		const from = this.column_of(event.from);
		const zone = $(event.to).attr("data-zone");
		if (zone) {
			this.put_back(event);
			if (zone === "lost") {
				sales_pipeline.declare_opportunity_lost(card.name, {
					on_done: () => this.take_off(card, from),
				});
			} else {
				frappe.confirm(__("Close opportunity {0}?", [frappe.utils.escape_html(card.title)]), () =>
					sales_pipeline
						.run_opportunity_method(card.name, "close_opportunity")
						.then(() => this.take_off(card, from))
						.catch(() => {})
				);
			}
			return;
		}
		const to = this.column_of(event.to);
		if (!to || !to.sales_stage) {
			this.put_back(event);
			return;
		}
		frappe
			.xcall(BOARD_API + "move_to_stage", { opportunity: card.name, sales_stage: to.sales_stage })
			.then((moved) => {
				this.add_to_totals(from, card, -1);
				this.add_to_totals(to, moved, 1);
				$card.replaceWith(this.make_card(moved));
				this.update_column(from);
				this.update_column(to);
				frappe.show_alert({
					message: __("{0} moved to {1}", [frappe.utils.escape_html(card.title), to.sales_stage]),
					indicator: "green",
				});
			})
			.catch(() => {
				// The server said why (its message is on show); the card goes back where it was.
				this.put_back(event);
			});
	}

	add_to_totals(column, card, sign) {
		const amount = flt(card.opportunity_amount);
		column.count += sign;
		column.amount += sign * amount;
		column.weighted_amount += (sign * amount * flt(card.probability)) / 100;
	}

	take_off(card, column) {
		column.$el.find(`.pipeline-card[data-name="${CSS.escape(card.name)}"]`).remove();
		this.add_to_totals(column, card, -1);
		this.update_column(column);
	}
}
