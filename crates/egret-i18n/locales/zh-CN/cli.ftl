# 命令行提示。
cli-uscc-valid = 有效：{ $code }（类别 { $type }，登记机关所在地 { $division }）
cli-uscc-invalid = 无效：{ $code }：{ $reason }
cli-demo-loaded = 演示城市已载入：{ $orgs } 个组织、{ $sites } 个场所、{ $periods } 个报告期、{ $users } 个账户、{ $values } 个 ESG 数值，用时 { $seconds } 秒（合成数据）。
cli-demo-present = 此数据库中已有演示城市，未写入任何数据。
cli-demo-not-empty = 此数据库中已有非演示组织，未写入演示城市。请使用新的数据库（--db）。
cli-catalog-ok = 全部 { $catalogs } 个披露目录和 { $datapoints } 个数据点均有效。
cli-catalog-errors = 目录文件中有 { $count } 处错误。
