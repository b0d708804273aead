//! Names of the demo county: its real county-level departments, towns and typical projects.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sector {
    Education,
    Health,
    Agriculture,
    Water,
    Roads,
    Social,
    Housing,
    Culture,
    Security,
    Forestry,
    Town,
    Admin,
}

/// The 57 level-1 budget units: name, sector, relative budget size, 行政 (true) or 事业.
pub const UNITS: &[(&str, Sector, i64, bool)] = &[
    ("中共且末县委员会办公室", Sector::Admin, 6, true),
    ("且末县人民政府办公室", Sector::Admin, 7, true),
    ("且末县人大常委会办公室", Sector::Admin, 3, true),
    ("政协且末县委员会办公室", Sector::Admin, 3, true),
    ("中共且末县纪律检查委员会", Sector::Admin, 4, true),
    ("中共且末县委组织部", Sector::Admin, 5, true),
    ("中共且末县委宣传部", Sector::Culture, 3, true),
    ("中共且末县委统一战线工作部", Sector::Admin, 3, true),
    ("中共且末县委政法委员会", Sector::Security, 4, true),
    ("且末县发展和改革委员会", Sector::Admin, 8, true),
    ("且末县教育局", Sector::Education, 60, true),
    ("且末县科学技术局", Sector::Admin, 2, true),
    ("且末县公安局", Sector::Security, 30, true),
    ("且末县民政局", Sector::Social, 18, true),
    ("且末县司法局", Sector::Security, 4, true),
    ("且末县财政局", Sector::Admin, 8, true),
    ("且末县人力资源和社会保障局", Sector::Social, 22, true),
    ("且末县自然资源局", Sector::Forestry, 9, true),
    ("且末县住房和城乡建设局", Sector::Housing, 26, true),
    ("且末县交通运输局", Sector::Roads, 24, true),
    ("且末县水利局", Sector::Water, 28, true),
    ("且末县农业农村局", Sector::Agriculture, 34, true),
    ("且末县商务和工业信息化局", Sector::Admin, 6, true),
    ("且末县文化体育广播电视和旅游局", Sector::Culture, 9, true),
    ("且末县卫生健康委员会", Sector::Health, 36, true),
    ("且末县退役军人事务局", Sector::Social, 5, true),
    ("且末县应急管理局", Sector::Security, 6, true),
    ("且末县审计局", Sector::Admin, 3, true),
    ("且末县市场监督管理局", Sector::Admin, 6, true),
    ("且末县统计局", Sector::Admin, 2, true),
    ("且末县林业和草原局", Sector::Forestry, 12, true),
    ("且末县医疗保障局", Sector::Health, 14, true),
    ("且末县乡村振兴局", Sector::Agriculture, 20, true),
    ("且末县信访局", Sector::Admin, 2, true),
    ("且末县人民法院", Sector::Security, 7, true),
    ("且末县人民检察院", Sector::Security, 6, true),
    ("且末县融媒体中心", Sector::Culture, 4, false),
    ("且末县疾病预防控制中心", Sector::Health, 8, false),
    ("且末县人民医院", Sector::Health, 30, false),
    ("且末县维吾尔医医院", Sector::Health, 9, false),
    ("且末县妇幼保健计划生育服务中心", Sector::Health, 5, false),
    ("且末县第一中学", Sector::Education, 16, false),
    ("且末县职业技术学校", Sector::Education, 8, false),
    ("且末县机关事务服务中心", Sector::Admin, 5, false),
    ("且末县档案馆", Sector::Admin, 2, false),
    ("且末县供销合作社联合社", Sector::Agriculture, 2, false),
    ("且末县总工会", Sector::Social, 2, false),
    ("共青团且末县委员会", Sector::Social, 1, false),
    ("且末县妇女联合会", Sector::Social, 1, false),
    ("且末县残疾人联合会", Sector::Social, 3, false),
    ("且末县红十字会", Sector::Health, 1, false),
    ("且末镇人民政府", Sector::Town, 12, true),
    ("奥依亚依拉克镇人民政府", Sector::Town, 8, true),
    ("塔提让镇人民政府", Sector::Town, 7, true),
    ("阿热勒镇人民政府", Sector::Town, 7, true),
    ("琼库勒乡人民政府", Sector::Town, 6, true),
    ("托格拉克勒克乡人民政府", Sector::Town, 6, true),
];

pub const PLACES: &[&str] = &[
    "且末镇",
    "奥依亚依拉克镇",
    "塔提让镇",
    "阿热勒镇",
    "琼库勒乡",
    "托格拉克勒克乡",
    "巴格艾日克乡",
    "英吾斯塘乡",
    "阔什萨特玛乡",
    "库拉木勒克乡",
    "阿羌镇",
    "塔中镇",
];

/// One indicator of a project template: level 1, level 2, name, sign, target range, unit.
pub type IndicatorTemplate = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (i64, i64),
    &'static str,
);

/// Project name stems and the quantity/quality indicators typical of each sector.
pub fn templates(sector: Sector) -> (&'static [&'static str], &'static [IndicatorTemplate]) {
    match sector {
        Sector::Education => (
            &[
                "学前教育保教费补助",
                "义务教育薄弱环节改善",
                "校舍维修改造",
                "营养改善计划",
                "教师培训",
                "中小学信息化建设",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "受益学生人数",
                    "≥",
                    (800, 6000),
                    "人",
                ),
                (
                    "产出指标",
                    "质量指标",
                    "补助资金足额发放率",
                    "≥",
                    (98, 100),
                    "%",
                ),
            ],
        ),
        Sector::Health => (
            &[
                "基本公共卫生服务",
                "乡村医生补助",
                "医疗设备购置",
                "家庭医生签约服务",
                "重大传染病防控",
                "医疗救助",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "服务人次",
                    "≥",
                    (3000, 40000),
                    "人次",
                ),
                (
                    "产出指标",
                    "质量指标",
                    "居民健康档案规范化电子建档率",
                    "≥",
                    (85, 95),
                    "%",
                ),
            ],
        ),
        Sector::Agriculture => (
            &[
                "高标准农田建设",
                "红枣提质增效",
                "农机购置补贴",
                "动物防疫",
                "设施农业大棚建设",
                "农村人居环境整治",
            ],
            &[
                ("产出指标", "数量指标", "建设面积", "≥", (500, 12000), "亩"),
                (
                    "产出指标",
                    "质量指标",
                    "工程验收合格率",
                    "≥",
                    (95, 100),
                    "%",
                ),
            ],
        ),
        Sector::Water => (
            &[
                "农村饮水安全巩固提升",
                "防渗渠道改造",
                "车尔臣河堤防加固",
                "节水灌溉",
                "水土保持治理",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "新建改建渠道长度",
                    "≥",
                    (3, 60),
                    "公里",
                ),
                (
                    "产出指标",
                    "质量指标",
                    "工程验收合格率",
                    "≥",
                    (95, 100),
                    "%",
                ),
            ],
        ),
        Sector::Roads => (
            &[
                "农村公路养护",
                "通村公路硬化",
                "危桥改造",
                "客运站运营补贴",
                "县乡道提升改造",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "养护改造里程",
                    "≥",
                    (10, 220),
                    "公里",
                ),
                ("产出指标", "质量指标", "路面优良率", "≥", (85, 95), "%"),
            ],
        ),
        Sector::Social => (
            &[
                "城乡低保",
                "特困人员救助供养",
                "临时救助",
                "就业创业补贴",
                "高龄老人补贴",
                "残疾人两项补贴",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "保障对象人数",
                    "≥",
                    (200, 5000),
                    "人",
                ),
                (
                    "产出指标",
                    "质量指标",
                    "资金发放准确率",
                    "≥",
                    (98, 100),
                    "%",
                ),
            ],
        ),
        Sector::Housing => (
            &[
                "老旧小区改造",
                "农村危房改造",
                "城镇保障性安居工程",
                "市政道路维修",
                "污水管网改造",
            ],
            &[
                ("产出指标", "数量指标", "改造户数", "≥", (100, 1500), "户"),
                (
                    "产出指标",
                    "质量指标",
                    "竣工验收合格率",
                    "≥",
                    (98, 100),
                    "%",
                ),
            ],
        ),
        Sector::Culture => (
            &[
                "公共文化服务体系建设",
                "农家书屋更新",
                "全民健身设施",
                "文物保护",
                "广播电视户户通",
            ],
            &[
                ("产出指标", "数量指标", "开展活动场次", "≥", (20, 300), "场"),
                ("产出指标", "质量指标", "设施完好率", "≥", (90, 98), "%"),
            ],
        ),
        Sector::Security => (
            &[
                "政法队伍业务经费",
                "平安建设",
                "法律援助",
                "应急物资储备",
                "执法办案装备购置",
            ],
            &[
                ("产出指标", "数量指标", "办理案件数", "≥", (100, 2500), "件"),
                ("产出指标", "质量指标", "结案率", "≥", (90, 98), "%"),
            ],
        ),
        Sector::Forestry => (
            &[
                "防沙治沙",
                "退耕还林补助",
                "生态护林员补助",
                "草原生态保护补助奖励",
                "国土空间规划编制",
            ],
            &[
                ("产出指标", "数量指标", "治理面积", "≥", (1000, 30000), "亩"),
                ("产出指标", "质量指标", "苗木成活率", "≥", (80, 90), "%"),
            ],
        ),
        Sector::Town => (
            &[
                "村级组织运转经费",
                "庭院经济发展",
                "村容村貌提升",
                "村级公益性岗位补贴",
                "小型基础设施维修",
            ],
            &[
                ("产出指标", "数量指标", "覆盖行政村数", "≥", (5, 16), "个"),
                (
                    "产出指标",
                    "质量指标",
                    "资金使用合规率",
                    "=",
                    (100, 100),
                    "%",
                ),
            ],
        ),
        Sector::Admin => (
            &[
                "信息化系统运维",
                "专项业务工作经费",
                "机关办公用房维修",
                "政务服务中心运行",
                "统计调查",
            ],
            &[
                (
                    "产出指标",
                    "数量指标",
                    "完成专项工作任务数",
                    "≥",
                    (4, 30),
                    "项",
                ),
                (
                    "产出指标",
                    "质量指标",
                    "工作任务完成质量达标率",
                    "≥",
                    (95, 100),
                    "%",
                ),
            ],
        ),
    }
}

/// The social-benefit sentence of a sector (a qualitative indicator).
pub fn benefit(sector: Sector) -> &'static str {
    match sector {
        Sector::Education => "办学条件和教育质量",
        Sector::Health => "群众健康水平",
        Sector::Agriculture => "农业综合生产能力和农民收入",
        Sector::Water => "农村供水和灌溉保障能力",
        Sector::Roads => "群众出行条件",
        Sector::Social => "困难群众基本生活保障水平",
        Sector::Housing => "居民居住条件",
        Sector::Culture => "群众精神文化生活",
        Sector::Security => "社会治安环境",
        Sector::Forestry => "生态环境",
        Sector::Town => "乡村面貌和基层治理能力",
        Sector::Admin => "部门履职能力",
    }
}
