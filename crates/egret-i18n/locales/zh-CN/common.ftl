# 平台通用词语。
test-greeting = 你好，{ $name }
app-name = Egret 白鹭
app-tagline = 城市 ESG 平台
synthetic-data = 合成演示数据
yes = 是
no = 否
none = 无
