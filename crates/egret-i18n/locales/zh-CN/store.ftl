# 存储层错误提示。
store-not-found = 未找到{ $entity }“{ $id }”，或您无权查看。
store-forbidden = 您无权执行此操作（{ $action }）。
store-invalid = 有 { $count } 个字段无效。
store-internal = 发生内部错误，未做任何更改。请重试或联系平台管理员。
store-bad-url = 不支持的数据库地址“{ $url }”：请使用 sqlite:路径 或 postgres://…
store-amount-out-of-range = 金额 { $value } 无法精确存储（最多两位小数，且小于 92 万亿）。
store-uscc-taken = 统一社会信用代码 { $uscc } 已登记。
store-uscc-immutable = 已登记组织的统一社会信用代码不可更改（当前为 { $uscc }）。
store-stale-version = 此记录已被他人修改（您编辑的是第 { $expected } 版，现为第 { $stored } 版）。请刷新后重试。
store-period-exists = 财年 { $year } 的报告期已存在。
store-bad-email = “{ $email }”不是有效的电子邮箱地址。
store-role-no-orgs = 角色为 { $role } 的账户不绑定组织。
store-email-taken = 电子邮箱 { $email } 的账户已存在。
store-password-short = 密码至少需要 { $min } 个字符。
store-token-name = 请为令牌命名（1 至 100 个字符）。
