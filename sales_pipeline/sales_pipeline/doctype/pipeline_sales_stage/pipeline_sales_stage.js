// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	function describe_win_rate(win_rate) {
		// One decimal, none for a whole number: "34%", "31.2%".
		const percent = (value) => {
			const rounded = flt(value, 1);
			return `${format_number(rounded, null, Number.isInteger(rounded) ? 0 : 1)}%`;
		};
		const forecast = __("forecast probability {0}", [percent(win_rate.probability)]);
		if (win_rate.rate === null) {
			return __("Learned win rate: no deal that was in this stage closed in the last {0} months; {1}", [
				win_rate.months,
				forecast,
			]);
		}
		return __("Learned win rate: {0} ({1} won, {2} lost in the last {3} months); {4}", [
			percent(win_rate.rate),
			win_rate.won,
			win_rate.lost,
			win_rate.months,
			forecast,
		]);
	}

	// Next to the default probability, the win rate the app learned for this stage from the deals
	// closed in the last months, and the probability the forecast's Learned basis uses.
	frappe.ui.form.on("Pipeline Sales Stage", {
		refresh(frm) {
			frm.set_intro("");
			if (frm.is_new()) return;
			const stage = frm.doc.name;
			frappe
				.call({
					method: "sales_pipeline.sales_pipeline.doctype.pipeline_sales_stage.pipeline_sales_stage.get_learned_win_rate",
					type: "GET",
					args: { sales_stage: stage },
				})
				.then((r) => {
					// The user may have moved on to another stage while this one was being learned.
					if (!r.message || frm.doc.name !== stage) return;
					frm.set_intro(frappe.utils.escape_html(describe_win_rate(r.message)), "blue");
				});
		},
	});
})();
