# 领域消息：统一社会信用代码、参考数据、组织、企业规模。

## 统一社会信用代码（GB 32100-2015）
domain-uscc-length = 统一社会信用代码应为 { $expected } 位，此代码为 { $found } 位。
domain-uscc-char = 第 { $position } 位的字符“{ $char }”不允许使用。信用代码只使用数字和大写字母（不含 I、O、S、V、Z）。
domain-uscc-authority = 第 1 位“{ $char }”不是登记管理部门代码（1–9、A、N 或 Y）。
domain-uscc-type = 第 1–2 位“{ $code }”不是有效的登记管理部门与机构类别组合。
domain-uscc-division = 第 3–8 位应为六位行政区划码，实际为“{ $value }”。
domain-uscc-check = 第 18 位校验码应为“{ $expected }”，实际为“{ $found }”，代码可能输入有误。

## 参考数据文件
domain-refdata-io = 无法读取参考数据文件 { $file }：{ $detail }
domain-refdata-syntax = 参考数据文件 { $file } { $location } 无法解析：{ $detail }
domain-refdata-missing = 参考数据文件 { $file }：{ $location } 缺失或为空。
domain-refdata-duplicate = 参考数据文件 { $file }：{ $location } 重复出现“{ $value }”。
domain-refdata-unknown = 参考数据文件 { $file }：{ $location } 引用了不存在的“{ $value }”。
domain-refdata-invalid = 参考数据文件 { $file }：{ $location } 的值“{ $value }”无效（应为 { $rule }）。

## 代码表
domain-code-unknown = “{ $value }”不是有效选项。可选：{ $allowed }。
domain-ownership-central-soe = 中央国有企业
domain-ownership-local-soe = 地方国有企业
domain-ownership-private = 民营企业
domain-ownership-foreign-invested = 外商投资企业
domain-ownership-hk-macao-taiwan = 港澳台投资企业
domain-ownership-other = 其他所有制
domain-exchange-sse = 上海证券交易所
domain-exchange-szse = 深圳证券交易所
domain-exchange-bse = 北京证券交易所
domain-exchange-hkex = 香港联合交易所
domain-exchange-overseas = 境外交易所
domain-size-large = 大型
domain-size-medium = 中型
domain-size-small = 小型
domain-size-micro = 微型
domain-site-factory = 工厂
domain-site-office = 办公场所
domain-site-warehouse = 仓库
domain-site-store = 门店
domain-site-port = 港口码头
domain-site-data-center = 数据中心
domain-site-other = 其他场所

## 字段校验
domain-required = 此项为必填项。
domain-too-long = 过长：最多 { $max } 个字符，实际 { $found } 个。
domain-control-chars = 不能包含换行符、制表符等控制字符。
domain-name-needs-cjk = 中文名称必须包含汉字。
domain-industry-unknown = “{ $code }”不是 GB/T 4754-2017 行业代码（2–4 位数字，如 3914 或 C3914）。
domain-cluster-unknown = “{ $value }”不是已知的产业集群。
domain-district-unknown = “{ $value }”不是本市的行政区。
domain-zone-unknown = “{ $value }”不是已知的试点区域。
domain-zone-duplicate = 试点区域“{ $value }”重复填写。
domain-employees-range = 从业人员数应不小于 0 且小于 { $max }。
domain-money-negative = 金额不能为负数。
domain-money-scale = “{ $value }”的小数超过两位（金额单位为元）。
domain-year-range = 年份应在 { $min } 至 { $max } 之间。
domain-financial-required = 金融业（J 门类）企业必须标记为金融机构。
domain-ticker-format = { $exchange ->
    [sse] 上交所证券代码为 6 位数字，以 60、68 或 90 开头
    [szse] 深交所证券代码为 6 位数字，以 00、30 或 20 开头
    [bse] 北交所证券代码为 6 位数字，以 8、4 或 92 开头
    [hkex] 港交所股份代号为 4 或 5 位数字
   *[other] 境外证券代码为 1 至 10 个字符，不含空格
}；实际为“{ $ticker }”。
domain-index-unknown = “{ $id }”不是已知的股票指数。
domain-index-duplicate = 指数“{ $id }”重复填写。
domain-index-exchange = 指数“{ $id }”不包含{ $exchange ->
    [sse] { domain-exchange-sse }
    [szse] { domain-exchange-szse }
    [bse] { domain-exchange-bse }
    [hkex] { domain-exchange-hkex }
   *[other] { domain-exchange-overseas }
}上市的证券。
domain-listing-duplicate = 上市信息 { $exchange }:{ $ticker } 重复填写。

## 报告期
domain-period-order = 报告期的结束日期必须晚于开始日期。
domain-period-span = 会计年度应为 { $min } 至 { $max } 天，此报告期为 { $days } 天。
domain-period-year = 会计年度以结束日期所在年份命名（{ $year }）。

## 企业规模划分
domain-size-reason-finance = 金融业企业适用单独的划型标准。
domain-size-reason-unknown-industry = 无法划型：“{ $code }”不是已知的行业代码。
domain-size-reason-micro = 微型：{ $indicator ->
    [employees] 从业人员
    [revenue] 营业收入
   *[assets] 资产总额
}低于小型企业下限。
domain-size-reason-missing = 暂无法划型：缺少{ $indicator ->
    [employees] 从业人员
    [revenue] 营业收入
   *[assets] 资产总额
}。
domain-size-reason-all-met = { $class ->
    [large] { domain-size-large }
    [medium] { domain-size-medium }
   *[small] { domain-size-small }
}：各项指标均达到该类型下限。
domain-size-reason-limited = { $class ->
    [large] { domain-size-large }
    [medium] { domain-size-medium }
   *[small] { domain-size-small }
}：受{ $indicator ->
    [employees] 从业人员
    [revenue] 营业收入
   *[assets] 资产总额
}限制，未达到上一类型的下限。
fx-rate-missing = 没有 { $year } 年 { $currency } 的汇率：请填写本期财务报表所用汇率；在此之前该金额不折算为人民币，也不参与校验。
fx-rate-reference = { $year } 年参考汇率（{ $basis }）
fx-rate-own = 本单位填报汇率（{ $note }）
domain-institution-service = “{ $value }”不是已知的服务类型，见 data/institutions/qualifications.toml。
domain-institution-kind = “{ $value }”不是已知的资质类型，见 data/institutions/qualifications.toml。
domain-institution-dates = 有效期截止日早于起始日。
domain-date = “{ $value }”不是日期，请按 YYYY-MM-DD 填写。
domain-plan-measure = 行动方案中没有第 { $value } 项举措。
domain-plan-period = “{ $value }”不是方案期内的季度，请按 YYYY-Qn 填写（如 2025-Q4）。
domain-plan-indicator = “{ $value }”不是该举措中由部门填报的指标。
domain-plan-number = “{ $value }”不是数字。
domain-plan-milestone = “{ $value }”不是该举措的节点。
domain-plan-status = “{ $value }”不是有效的节点状态，请使用 not_started、in_progress 或 done。
domain-award-window = 申请受理期为 { $from } 至 { $to }。
domain-award-segment = 仅限：{ $zh }（{ $en }）。
domain-award-assured = 需有已发布且经第三方鉴证（已签署结论）的 { $year } 年度报告。
domain-award-not-new = 不属于新取得认证：{ $from } 之前已于 { $date } 取得鉴证。

## 绿色金融目录与银行优惠规则
domain-greenfin-kind = 未知的金融工具类型“{ $kind }”：应为 loan（贷款）、bond（债券）或 other（其他）。
domain-greenfin-edition = 未知的绿色金融目录版本“{ $edition }”。
domain-greenfin-not-in-force = 目录 { $edition } 不适用于 { $date } 批准的 { $kind } 类工具；当时有效的版本为 { $right }。
domain-greenfin-item = 目录 { $edition } 中没有条目 { $item }。
domain-bank-toml = 规则文件不是有效的 TOML 或缺少字段：{ $error }
domain-bank-methodology = 规则引用了未知的评级方法“{ $methodology }”。
domain-bank-combine = rules.combine 应为“sum”或“best”，而不是“{ $value }”。
domain-bank-max-cut = rules.max_cut_bp 不能为负数。
domain-bank-emissions = emissions.datapoints 至少要列出一个数据点。
domain-bank-no-rules = 文件中没有 [[rule]]。
domain-bank-duplicate = 规则“{ $rule }”重复出现。
domain-bank-no-conditions = 规则“{ $rule }”没有条件。
domain-bank-field = 规则“{ $rule }”第 { $n } 个条件：未知字段“{ $field }”。
domain-bank-op = 规则“{ $rule }”第 { $n } 个条件（{ $field }）：该字段不允许此运算符。
domain-bank-value = 规则“{ $rule }”第 { $n } 个条件（{ $field }）：取值对该字段无效。
domain-bank-verified = 规则“{ $rule }”第 { $n } 个条件（{ $field }）：“verified”只适用于排放字段。
domain-bank-missing = 平台上没有该数据。
domain-bank-unverified = 相关数据未被已签署的鉴证结论覆盖。

## 产品碳足迹
domain-pcf-urn = 标识须为 URN，例如 urn:gtin:06901234567892 或 urn:pact:company.com:product-id:A1。
domain-pcf-unit = 请使用 PACT 声明单位：liter、kilogram、cubic meter、kilowatt hour、megajoule、ton kilometer、square meter、piece、hour 或 megabit second。
domain-pcf-positive = 必须大于零。
domain-pcf-non-negative = 不能为负数。
domain-pcf-boundary = 系统边界为 cradle-to-gate（摇篮到大门）或 cradle-to-grave（摇篮到坟墓）。
domain-pcf-period = 结束日期须晚于开始日期。
domain-pcf-geography = 请使用 ISO 3166 国家代码（CN）或行政区代码（CN-FJ）。
domain-pcf-standard = 至少注明一项已知标准（ISO 14067、PAS 2050、GHG Protocol 产品标准、PACT 方法学、ISO 14044）。
domain-pcf-gwp = GWP 取值版本为 AR5 或 AR6。
domain-pcf-split = 不含生物源吸收的碳足迹不能低于其化石排放。
domain-pcf-uptake = 含生物源吸收的碳足迹不能高于不含吸收的碳足迹。
domain-pcf-exempted = 豁免排放比例应在 0 至 5% 之间。
domain-pcf-percent = 百分比应在 0 至 100 之间。
domain-pcf-calculation = 计算来源为“manual”（手工）或“lca:<计算编号>”。
domain-award-pcf = 需要 { $from } 或之后签发且当前有效的产品碳足迹认证证书。
domain-ps-id = 编号不能为空，也不能包含“|”。
domain-ps-duplicate = 此编号重复使用。
domain-ps-two-producers = 已有另一个过程生产此产品；每种产品只能有一个生产过程。
domain-ps-no-producer = 系统中没有生产此产品的过程。
domain-ps-zero = 数量不能为零。
domain-ps-flow = 未知的基本流：请使用所选GWP集中的气体（CO2、CH4-fossil、N2O等）、CO2e或系统自定义的基本流。
domain-ps-uptake-sign = 生物源碳吸收为负值，且只有吸收为负值。
domain-ps-distribution = 分布类型为对数正态、正态、三角或均匀分布。
domain-ps-uncertainty = 不确定性与数量不符：对数正态和正态分布需要正的尺度参数；三角和均匀分布需要 最小值 ≤ 数量 ≤ 最大值。
domain-pact-supplier-schema = 不是有效的 PACT v3 碳足迹：{ $reason }
domain-pact-supplier-decimal = 该数值无法精确保存（最多 28 位有效数字）。
domain-pact-supplier-id = 碳足迹的编号与接收时记录的编号不一致。
domain-pcf-dqr = 覆盖率为 0–100%；技术、时间和地理代表性评分按 PACT v3 为 1（最好）至 5；完整性和可靠性（仅 PACT v2）为 1 至 3。
domain-pcf-non-positive = 必须为零或负数。
domain-pcf-uptake-sum = 生物源 CO2 吸收量等于含生物源吸收的碳足迹减去不含吸收的碳足迹。
domain-pcf-packaging = 只有碳足迹包含包装时才能填写包装排放。
domain-pcf-ccu-approach = CCU 计算方法为 Cut-off（截断法）或 Credit（抵扣法）。
domain-pcf-url = 请填写以 https:// 或 http:// 开头的网址。
domain-pcf-ccu-credit = 只有 Credit（抵扣法）才有 CCU 抵扣认证。
domain-pcf-rule = 每条产品或行业规则须注明发布方（PEF、EPD International，或 Other 并写明发布方名称）和至少一项规则名称，各项不重复；同一规则不能列两次。
domain-pcf-ef-source = 每个二手排放因子来源须有名称和版本，且只列一次。
