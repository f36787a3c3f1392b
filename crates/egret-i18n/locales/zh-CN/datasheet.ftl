# 披露数据表格（下载模板、离线填写、上传）。

## 列标题（显示为“中文 / English”）
sheet-col-datapoint = 数据点
sheet-col-breakdown = 细分
sheet-col-name = 名称
sheet-col-obligation = 要求
sheet-col-answer = 填报方式
sheet-col-value = 值
sheet-col-unit = 单位
sheet-col-prior = 上年值（{ $year }）
sheet-col-reason = 原因
sheet-col-comment = 备注

## 单元格标签
sheet-answer-value = 填报数值
sheet-answer-not-applicable = 不适用
sheet-answer-not-disclosed = 不披露
sheet-total = 合计

## 说明页
sheet-guide-tab = 说明
sheet-guide-title = 披露数据填报模板
sheet-guide-org = 组织：{ $name }（统一社会信用代码 { $uscc }）
sheet-guide-catalog = 披露标准：{ $name }（{ $catalog }）
sheet-guide-year = 财年：{ $year }
sheet-guide-how = 填写方法
sheet-guide-step-1 = 1. 标准中的每个议题各占一个工作表。每行是一个数据点：先是合计，再是其细分（按性别、场所等）。
sheet-guide-step-2 = 2. 请勿修改灰色列（数据点、细分、名称、要求、上年值），它们用于识别各行；工作表已加无密码保护，仅为防止误改。
sheet-guide-step-3 = 3. 选择填报方式，再填写值；数量和金额还需填写单位。只填了值而未选填报方式的行按“填报数值”处理。
sheet-guide-step-4 = 4. 数字按精确值保存：可以输入数字（1234.5）或文本（1,234.5）。百分比以百分数填写：25% 请填 25 或 25%，不要填 0.25。单位留空即使用表中所示单位。
sheet-guide-step-5 = 5. 留空的行不会改动已保存的数据。如需删除已保存的回答，请使用网页表单。
sheet-guide-step-6 = 6. 在该组织的数据页面上传本文件。上传文件整体校验：任何单元格有误则全部不保存，并按工作表、行、列列出所有问题；否则先显示将要进行的修改，确认后保存。
sheet-guide-step-7 = 7. 本文件只能上传到下载它时对应的组织、披露标准和财年。
sheet-guide-answers = 填报方式
sheet-guide-answer-value = “{ $label }”：在“值”列填写披露的数值（及单位）。
sheet-guide-answer-not-applicable = “{ $label }”：该数据点不适用于本组织；原因可选填。
sheet-guide-answer-not-disclosed = “{ $label }”：该数据点适用但不披露（不披露即解释），必须填写原因。
sheet-guide-obligations = 要求：“必须披露”须披露或说明原因；“具重要性时必须披露”在该议题对本组织具有重要性时须披露；“鼓励披露”为自愿。
sheet-guide-sections = 工作表
sheet-guide-section = 工作表“{ $sheet }”：{ $section }，共 { $rows } 行，其中必须披露 { $required } 行。
sheet-guide-required = 必须披露的数据点
sheet-guide-required-item = { $name }（{ $id }），工作表“{ $sheet }”：{ $status }
sheet-guide-status-answered = 已填写
sheet-guide-status-open = 尚未填写
sheet-guide-none-required = 该标准对本组织没有必须披露的数据点。

## 上传错误
sheet-unreadable = 无法读取工作簿：{ $detail }
sheet-not-template = 这不是 Egret 数据填报模板。请在组织的数据页面下载模板后填写。
sheet-format-unsupported = 该模板由其他版本的 Egret 生成（格式 { $version }），请重新下载模板。
sheet-meta-missing = 模板的识别信息不完整（缺少 { $field }），请重新下载模板。
sheet-wrong-org = 该模板属于另一个组织（统一社会信用代码 { $found }，应为 { $expected }）。
sheet-wrong-catalog = 该模板对应披露标准 { $found }，而不是 { $expected }。
sheet-wrong-year = 该模板对应财年 { $found }，而不是 { $expected }。
sheet-catalog-unknown = 未知的披露标准 { $catalog }。
sheet-no-data-sheets = 工作簿中没有数据工作表，请重新下载模板。
sheet-layout-broken = 工作表隐藏的第一行已损坏（缺少“{ $column }”列），请将填写内容复制到新的模板中。
sheet-datapoint-missing = 该行有内容，但没有数据点编号。
sheet-datapoint-unknown = 未知的数据点“{ $id }”。
sheet-datapoint-not-in-catalog = 数据点“{ $id }”不属于披露标准 { $catalog }。
sheet-breakdown-invalid = “{ $key }”不是数据点“{ $id }”的细分。
sheet-duplicate-row = 该数据点和细分已出现在工作表“{ $sheet }”第 { $row } 行。
sheet-answer-unknown = “{ $value }”不是有效的填报方式，请选择填报数值、不适用或不披露。
sheet-value-missing = 填报方式为“填报数值”，但“值”列为空。
sheet-value-with-answer = 填写了值，但填报方式为“{ $answer }”。请清除该值或将填报方式改为“填报数值”。
sheet-reason-missing = 填报方式为“不披露”时必须填写原因。
sheet-answer-missing = 填写了原因或备注，但没有填报方式。请选择填报方式或清空该行。
sheet-unit-unknown = 未知的单位“{ $unit }”。
sheet-unit-dimension = “{ $unit }”不是 { $dimension } 的单位（可用：{ $units }）。
sheet-unit-unexpected = 该数据点不需要单位（填写了“{ $unit }”）。
sheet-text-too-long = 文本有 { $length } 个字符，最多允许 { $max } 个。
sheet-cell-error = 单元格包含表格错误（{ $value }）。
sheet-cell-date = 此处不应是日期。请将单元格格式设为数字或文本后重新填写。
sheet-number-invalid = 数字 { $value } 无法精确保存。
sheet-write-failed = 无法生成表格：{ $detail }
sheet-too-large = 工作簿的单元格过多（超过 { $max } 个）。请只上传模板本身的工作表。
