# Disclosure-data spreadsheets (download a template, fill it offline, upload it).

## Column headers (shown as "中文 / English")
sheet-col-datapoint = Data point
sheet-col-breakdown = Breakdown
sheet-col-name = Name
sheet-col-obligation = Obligation
sheet-col-answer = Answer
sheet-col-value = Value
sheet-col-unit = Unit
sheet-col-prior = Prior year ({ $year })
sheet-col-reason = Reason
sheet-col-comment = Comment

## Cell labels
sheet-answer-value = Value
sheet-answer-not-applicable = Not applicable
sheet-answer-not-disclosed = Not disclosed
sheet-total = Total

## Guide sheet
sheet-guide-tab = Guide
sheet-guide-title = Disclosure data template
sheet-guide-org = Organisation: { $name } (unified social credit code { $uscc })
sheet-guide-catalog = Catalog: { $name } ({ $catalog })
sheet-guide-year = Fiscal year: { $year }
sheet-guide-how = How to fill in this workbook
sheet-guide-step-1 = 1. Each topic of the catalog has its own sheet. Each row is one data point, first its total, then its breakdowns (by gender, site and so on).
sheet-guide-step-2 = 2. Do not change the grey columns (data point, breakdown, name, obligation, prior year). They identify the row; the sheets are protected without a password only to prevent accidents.
sheet-guide-step-3 = 3. Choose the answer, then enter the value and, for quantities and amounts, its unit. A row with a value and no answer counts as “Value”.
sheet-guide-step-4 = 4. Numbers are exact: type them as numbers (1234.5) or as text (1,234.5). Percentages are in per cent: type 25 or 25 % for 25 %, not 0.25. Leave the unit empty to use the one shown.
sheet-guide-step-5 = 5. Rows left empty do not change anything already stored. To remove a stored answer, use the web form.
sheet-guide-step-6 = 6. Upload the file on the organisation's data page. The upload is checked as a whole: if any cell is wrong, nothing is saved and every problem is listed with its sheet, row and column. Otherwise you see the changes and confirm them.
sheet-guide-step-7 = 7. Upload the file only for the organisation, catalog and fiscal year it was downloaded for.
sheet-guide-answers = Answers
sheet-guide-answer-value = “{ $label }”: the value is disclosed in the Value column (with its unit).
sheet-guide-answer-not-applicable = “{ $label }”: the data point does not apply to the organisation; a reason is optional.
sheet-guide-answer-not-disclosed = “{ $label }”: the data point applies but is not disclosed (comply or explain); the reason is required.
sheet-guide-obligations = Obligations: “Required” must be disclosed or explained, “Required if material” when the topic is material to the organisation, “Encouraged” is voluntary.
sheet-guide-sections = Sheets
sheet-guide-section = Sheet “{ $sheet }”: { $section }, { $rows } rows, { $required } of them required.
sheet-guide-required = Required data points
sheet-guide-required-item = { $name } ({ $id }), sheet “{ $sheet }”: { $status }
sheet-guide-status-answered = answered
sheet-guide-status-open = not yet answered
sheet-guide-none-required = The catalog requires nothing of this organisation.

## Upload errors
sheet-unreadable = The workbook cannot be read: { $detail }
sheet-not-template = This is not an Egret data template. Download the template from the organisation's data page and fill that in.
sheet-format-unsupported = This template was made by another version of Egret (format { $version }). Download a new template.
sheet-meta-missing = The template's identification is incomplete ({ $field } is missing). Download a new template.
sheet-wrong-org = This template belongs to another organisation (credit code { $found }, expected { $expected }).
sheet-wrong-catalog = This template is for catalog { $found }, not { $expected }.
sheet-wrong-year = This template is for fiscal year { $found }, not { $expected }.
sheet-catalog-unknown = Catalog { $catalog } is not known.
sheet-no-data-sheets = The workbook has no data sheets. Download a new template.
sheet-layout-broken = The sheet's hidden first row is damaged (column “{ $column }” is missing). Copy your entries into a new template.
sheet-datapoint-missing = The row has entries but no data point id.
sheet-datapoint-unknown = Unknown data point “{ $id }”.
sheet-datapoint-not-in-catalog = Data point “{ $id }” is not part of catalog { $catalog }.
sheet-breakdown-invalid = “{ $key }” is not a breakdown of data point “{ $id }”.
sheet-duplicate-row = This data point and breakdown already appear on sheet “{ $sheet }”, row { $row }.
sheet-answer-unknown = “{ $value }” is not an answer. Choose Value, Not applicable or Not disclosed.
sheet-value-missing = The answer is “Value” but the Value column is empty.
sheet-value-with-answer = A value is given but the answer is “{ $answer }”. Clear the value or choose the answer “Value”.
sheet-reason-missing = A reason is required when the answer is “Not disclosed”.
sheet-answer-missing = A reason or comment is given but no answer. Choose an answer or clear the row.
sheet-unit-unknown = Unknown unit “{ $unit }”.
sheet-unit-dimension = “{ $unit }” is not a unit of { $dimension } (use one of: { $units }).
sheet-unit-unexpected = This data point takes no unit (“{ $unit }” given).
sheet-text-too-long = The text has { $length } characters; at most { $max } are allowed.
sheet-cell-error = The cell contains a spreadsheet error ({ $value }).
sheet-cell-date = A date is not expected here. Format the cell as a number or text and enter the value again.
sheet-number-invalid = The number { $value } cannot be stored exactly.
sheet-write-failed = The spreadsheet could not be written: { $detail }
sheet-too-large = The workbook has too many cells (more than { $max }). Upload the template with only its own sheets.
