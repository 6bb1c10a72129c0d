//! Phrase tables for the demo generator: scenarios and reply snippets in Chinese and English.
//!
//! Templates use `{slot}` placeholders that [`super::Ctx`] fills in (see `Ctx::slot` for the
//! list). Everything here is `'static` so generating a million tickets only copies bytes.

use helpdeck_core::ticket::Kind;

/// A list of phrases.
pub(super) type L = &'static [&'static str];

// Category indices into `DEFAULT_CATEGORIES`.
pub(super) const HW: usize = 0;
pub(super) const SW: usize = 1;
pub(super) const NET: usize = 2;
pub(super) const ACC: usize = 3;
pub(super) const OTHER: usize = 4;

/// One kind of problem or request, with everything needed to write a ticket about it.
pub(super) struct Scenario {
    /// Index into `DEFAULT_CATEGORIES`.
    pub category: usize,
    pub kind: Kind,
    /// Relative frequency within its language.
    pub weight: u32,
    /// May need a site visit (field channel, a site on the ticket).
    pub field: bool,
    /// May be raised by monitoring.
    pub monitor: bool,
    /// A short noun for replies ("the {topic} issue").
    pub topic: &'static str,
    /// The concrete problems: each title goes with its intro, cause and solution.
    pub variants: &'static [Variant],
    /// Bullet points that fit every variant.
    pub details: L,
    /// Values of `{a}`.
    pub things: L,
    /// Values of `{code}`.
    pub codes: L,
    pub tags: L,
    /// Scenario-specific internal notes (the language's generic ones are used too).
    pub notes: L,
}

/// One concrete problem: what the requester writes and what the service report says.
pub(super) struct Variant {
    pub title: &'static str,
    pub intro: &'static str,
    pub cause: &'static str,
    pub solution: &'static str,
}

const fn v(
    title: &'static str,
    intro: &'static str,
    cause: &'static str,
    solution: &'static str,
) -> Variant {
    Variant {
        title,
        intro,
        cause,
        solution,
    }
}

const BASE: Scenario = Scenario {
    category: OTHER,
    kind: Kind::Incident,
    weight: 1,
    field: false,
    monitor: false,
    topic: "",
    variants: &[],
    details: &[],
    things: &[],
    codes: &[],
    tags: &[],
    notes: &[],
};

/// Everything language-specific.
pub(super) struct Lang {
    pub scenarios: &'static [Scenario],
    pub when: L,
    pub cities: L,
    pub greetings: L,
    pub closings: L,
    pub urgent_closings: L,
    /// Things the requester already tried, per category.
    pub tried: [L; 5],
    pub details_heading: &'static str,
    pub tried_heading: &'static str,
    pub error_heading: &'static str,
    pub location: &'static str,
    pub phone_note: &'static str,
    pub walk_in_note: &'static str,
    pub complaint_prefix: &'static str,
    pub urgent_prefix: &'static str,
    pub monitor_prefix: &'static str,
    pub complaint_paras: L,
    pub ack: L,
    pub progress: L,
    pub ask: L,
    pub done: L,
    pub replies: L,
    pub followups: L,
    pub confirms: L,
    pub internal: L,
    pub csat_high: L,
    pub csat_mid: L,
    pub csat_low: L,
    pub prevention: L,
}

pub(super) const LAPTOPS: L = &[
    "ThinkPad T14",
    "ThinkPad X1 Carbon",
    "Dell Latitude 5440",
    "HP EliteBook 840",
    "MacBook Pro 14",
    "Surface Laptop 5",
    "Lenovo ThinkBook 14",
];

const PRINTERS: L = &[
    "HP LaserJet M428",
    "Brother HL-L2350",
    "Canon iR-ADV C3530",
    "Ricoh IM C3000",
    "Kyocera M5526",
    "Epson WF-C5790",
];

const MONITORS: L = &[
    "Dell P2422H",
    "AOC 24B2XH",
    "Philips 243V7",
    "Lenovo T24i",
    "HP E24 G5",
];

const PRINTER_CODES: L = &["50.4", "13.B2", "E-200", "SC542", "0x6102", "C-0010"];
const BSOD_CODES: L = &[
    "CRITICAL_PROCESS_DIED",
    "0x0000007E",
    "IRQL_NOT_LESS_OR_EQUAL",
    "0xC000021A",
    "MEMORY_MANAGEMENT",
];
const VPN_CODES: L = &["809", "691", "720", "789", "-14"];
const MAIL_CODES: L = &[
    "0x800CCC0E",
    "0x8004010F",
    "0x80040600",
    "550 5.7.1",
    "0x800CCC92",
];
const LICENSE_CODES: L = &["0xC004F074", "0x8007007B", "LIC-1002"];

// ---------------------------------------------------------------------------------------------
// Chinese
// ---------------------------------------------------------------------------------------------

const ZH_SCENARIOS: &[Scenario] = &[
    Scenario {
        category: NET,
        weight: 9,
        field: true,
        monitor: true,
        topic: "网络",
        variants: &[
            v(
                "{floor}楼办公区网络断开，无法访问内网",
                "{when}开始{floor}楼办公区的网络断开了，大约{n}台电脑无法访问内网和共享盘，邮件也收不到。",
                "{floor}楼接入交换机端口故障，导致下联终端网络中断",
                "更换交换机故障端口并重新跳线，{n}台电脑网络已恢复",
            ),
            v(
                "{site}网络时断时续，经常掉线",
                "{site}这边的网络{when}开始时断时续，每隔几分钟掉线一次，ping 网关 {ip} 一直丢包，视频会议经常中断。",
                "上联光模块故障导致链路抖动",
                "更换光模块，观察 24 小时链路稳定",
            ),
            v(
                "{room}房间网口没有网络",
                "{floor}楼{room}房间墙上的网口插上网线没有任何反应，电脑显示“网络电缆被拔出”，换了网线也一样。",
                "墙面网口到配线架的线缆在装修时被损坏",
                "重新布线打线，测试网络链路正常",
            ),
            v(
                "多台电脑网络中断，{n}人无法办公",
                "我们部门{n}个人的电脑都显示“无法连接到网络”，网线指示灯不亮，重启电脑后还是不行。",
                "弱电间交换机电源适配器老化，间歇性重启",
                "更换交换机电源并加装 UPS，网络恢复稳定",
            ),
            v(
                "{floor}楼网络 IP 冲突，共享盘和邮件都打不开",
                "{floor}楼很多电脑的 IP 地址变成了 169.254 开头，有的还提示 IP 地址冲突，共享盘和邮件都打不开。",
                "有人在会议室私接路由器，造成 DHCP 冲突",
                "拆除私接路由器，并在交换机上开启 DHCP Snooping",
            ),
        ],
        details: &[
            "影响人数：约{n}人",
            "交换机位置：{floor}楼弱电间",
            "右下角网络图标显示黄色感叹号",
            "同楼层的网络打印机也无法访问",
            "手机连 Wi-Fi 正常，只有有线网络有问题",
            "ping 网关 {ip} 超时",
        ],
        tags: &["network", "lan", "outage"],
        notes: &[
            "已远程登录交换机查看，端口 Gi1/0/{m} 有大量 CRC 错误。",
            "核心交换机日志显示{floor}楼上联口反复 up/down。",
            "需要现场工程师带备用交换机过去。",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 7,
        field: true,
        topic: "无线网络",
        variants: &[
            v(
                "{room}会议室 Wi-Fi 连不上（{ssid}）",
                "{floor}楼{room}会议室的 Wi-Fi（{ssid}）{when}开始连不上，提示“无法加入网络”，笔记本和手机都一样。",
                "{floor}楼无线 AP 故障离线",
                "更换故障 AP 并重新下发配置，无线网络恢复",
            ),
            v(
                "{floor}楼无线网络信号很差，经常掉线",
                "在{floor}楼靠窗的工位无线网络信号很弱，经常掉线，网速只有几百 KB/s，开会很受影响。",
                "AP 信道与邻近公司的无线网络冲突，靠窗区域覆盖不足",
                "调整 AP 信道和发射功率，并在靠窗区域增加一台 AP",
            ),
            v(
                "笔记本连不上无线网络 {ssid}，提示密码错误",
                "连接 {ssid} 时一直提示密码错误，但密码最近没有改过，同事的电脑也连不上这个无线网络。",
                "无线控制器证书过期，导致 802.1X 认证失败",
                "更新无线控制器证书，用户重新连接后恢复正常",
            ),
            v(
                "连上 Wi-Fi 后无法上网",
                "连接 {ssid} 后显示“已连接，无 Internet”，插网线是正常的，应该是无线网络的问题。",
                "无线网络的 DHCP 地址池耗尽，新设备获取不到地址",
                "扩大无线网络的 DHCP 地址池并缩短租期",
            ),
        ],
        details: &[
            "SSID：{ssid}",
            "电脑型号：{laptop}",
            "位置：{floor}楼{room}",
            "同一区域的同事也连不上",
            "信号只有一格",
        ],
        tags: &["wifi", "network", "wireless"],
        notes: &[
            "控制器上看到{floor}楼 AP-{m} 离线。",
            "现场测试信号强度约 -78 dBm，覆盖不足。",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 8,
        topic: "VPN",
        variants: &[
            v(
                "VPN 连接失败，错误代码 {code}",
                "{when}开始在家连接公司 VPN 一直失败，提示错误代码 {code}。家里的网络是正常的，网页都能打开。",
                "VPN 账号证书过期",
                "重新签发证书并导入，VPN 已能正常连接",
            ),
            v(
                "出差在{city}，VPN 连不上",
                "这周在{city}出差，酒店网络可以上网，但是 VPN 一直连不上，提示错误代码 {code}。",
                "酒店网络屏蔽了 IPsec 端口",
                "改用 SSL VPN 模式（443 端口）后连接成功",
            ),
            v(
                "VPN 连上后访问不了{a}",
                "VPN 显示已连接，但是访问不了{a}，网页一直在转圈，其他网站正常。",
                "VPN 客户端版本过旧，与新网关下发的路由不兼容",
                "将 VPN 客户端升级到最新版本后恢复正常",
            ),
            v(
                "VPN 每隔十几分钟就断线",
                "VPN 客户端每隔十几分钟就断开一次，需要重新输入密码，远程办公很不方便，网络测速是正常的。",
                "VPN 网关会话数达到授权上限，空闲会话被强制断开",
                "扩容 VPN 网关授权并清理僵尸会话",
            ),
        ],
        details: &[
            "VPN 客户端：FortiClient 7.2",
            "电脑型号：{laptop}",
            "家庭宽带：{n}00M",
            "用手机热点也一样",
            "其他同事可以正常连接",
        ],
        things: &["ERP 系统", "共享盘", "OA 系统", "财务系统", "内网网站"],
        codes: VPN_CODES,
        tags: &["vpn", "network", "remote"],
        notes: &[
            "网关日志显示该用户 IKE 协商失败。",
            "已确认用户所在网络出口屏蔽了 UDP 500/4500。",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 5,
        monitor: true,
        topic: "网络",
        variants: &[
            v(
                "公司网络很慢，打开网页要很久",
                "{when}开始整个办公室网络都很慢，打开网页要十几秒，下载文件不到 100 KB/s。",
                "一台电脑感染病毒后大量对外发包，占满出口带宽",
                "隔离中毒电脑并完成查杀，带宽恢复正常",
            ),
            v(
                "{site}网络延迟高，视频会议卡顿",
                "和客户开视频会议一直卡顿，测速延迟超过 {n}0 ms，网络严重影响沟通。",
                "运营商线路故障",
                "联系运营商修复线路，期间临时切换到备份线路",
            ),
            v(
                "外部网站打不开，内网系统正常",
                "内网系统都能用，但外部网站全部打不开，提示找不到服务器，怀疑是网络 DNS 问题。",
                "DNS 服务器转发配置错误",
                "修正 DNS 转发配置并清理缓存",
            ),
            v(
                "下午开始网络特别慢，上传文件很卡",
                "午休之后网络特别慢，尤其是上传文件和发带附件的邮件，经常超时。",
                "网盘同步客户端占满上行带宽",
                "在防火墙上为同步流量设置限速策略",
            ),
        ],
        details: &[
            "测速结果：下载 {m} Mbps",
            "影响范围：{site}",
            "ping 网关 {ip} 正常，ping 外网丢包严重",
            "有线和无线网络都一样",
        ],
        tags: &["network", "bandwidth", "dns"],
        ..BASE
    },
    Scenario {
        category: NET,
        kind: Kind::Request,
        weight: 3,
        field: true,
        topic: "网络",
        variants: &[
            v(
                "新员工工位需要开通网口（{floor}楼{room}）",
                "下周一有新同事入职，工位在{floor}楼{room}，需要开通网口并接入办公网络。",
                "新工位网口尚未配线",
                "完成配线并在交换机上划入办公 VLAN，已测试网络连通",
            ),
            v(
                "申请开通访客 Wi-Fi 网络，{n}人培训使用",
                "下周有{n}位客户来公司参加培训，需要临时开通访客 Wi-Fi 网络，为期两天。",
                "临时访客网络需求",
                "已开通访客 Wi-Fi，密码已发到联系人邮箱，到期自动关闭",
            ),
            v(
                "{room}会议室需要增加网络接口",
                "{floor}楼{room}会议室只有一个网口，投影和视频会议终端不够用，申请增加网络接口。",
                "会议室网络接口不足",
                "加装一台 8 口交换机并整理线缆",
            ),
        ],
        details: &[
            "期望完成时间：本周五前",
            "需要的网口数量：{m}个",
            "联系人：{user}",
        ],
        tags: &["network", "request", "onboarding"],
        ..BASE
    },
    Scenario {
        category: NET,
        kind: Kind::Question,
        weight: 3,
        topic: "网络",
        variants: &[
            v(
                "手机怎么连接公司 Wi-Fi 网络？",
                "请问手机要怎么连接公司的无线网络？需要安装证书吗？",
                "用户咨询无线网络的连接方法",
                "已发送手机连接无线网络的指引，用户已连上",
            ),
            v(
                "在家如何配置 VPN 访问内网？",
                "下周开始在家办公，请问怎么配置 VPN 才能访问公司内网和共享盘？",
                "用户咨询 VPN 配置方法",
                "已发送 VPN 安装配置指引，并远程协助完成设置",
            ),
            v(
                "访客网络的密码在哪里查？",
                "有客户来访要用网络，请问访客 Wi-Fi 的密码在哪里可以查到？",
                "用户咨询访客网络密码",
                "已告知访客网络密码每周更新，可在前台查询",
            ),
        ],
        details: &["手机型号：iPhone / 安卓", "电脑型号：{laptop}"],
        tags: &["network", "howto"],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 14,
        field: true,
        monitor: true,
        topic: "打印机",
        variants: &[
            v(
                "{floor}楼打印机无法打印，显示错误 {code}",
                "{floor}楼的打印机（{a}）{when}开始无法打印，面板显示错误 {code}，断电重启后还是一样。",
                "定影组件老化，达到更换周期",
                "更换定影组件，打印测试页正常",
            ),
            v(
                "打印机卡纸，{a} 无法使用",
                "打印机（{a}）一直卡纸，把纸取出来后打印几张又卡，今天下午要打印合同，比较急。",
                "搓纸轮磨损造成频繁卡纸",
                "更换搓纸轮并清洁纸路，连续打印测试正常",
            ),
            v(
                "{a} 打印任务一直排队不出纸",
                "打印任务发出去后一直在队列里不出纸，同楼层{n}个人都打印不了，网络是通的。",
                "打印服务器后台处理程序卡死",
                "重启打印服务器的 Print Spooler 服务并清理打印队列",
            ),
            v(
                "打印出来的文件有黑色条纹",
                "打印出来的文件有一道黑色竖条，换了墨粉盒也没有改善，对外的报价单没法打印。",
                "感光鼓划伤",
                "更换感光鼓组件，打印质量恢复",
            ),
            v(
                "{floor}楼打印机脱机，大家都打印不了",
                "{floor}楼的打印机{when}开始显示脱机，大家都打印不了，打印机面板上看网络是连接的。",
                "打印机 IP 地址被其他设备占用，导致脱机",
                "为打印机设置保留 IP 并重新添加打印机，大家可以正常打印",
            ),
        ],
        details: &[
            "打印机型号：{a}",
            "资产编号：{asset}",
            "打印机 IP：{ip}",
            "位置：{floor}楼打印区",
            "其他同事的电脑也打印不了",
            "复印和扫描功能正常，只有打印有问题",
        ],
        things: PRINTERS,
        codes: PRINTER_CODES,
        tags: &["printer", "hardware", "print"],
        notes: &[
            "已联系厂商报修，预计明天上门。",
            "备件库还有配件，可以直接更换。",
            "远程查看打印服务器，队列里有{n}个卡住的打印任务。",
        ],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 7,
        field: true,
        topic: "电脑",
        variants: &[
            v(
                "笔记本（{a}）开机黑屏",
                "我的笔记本 {a} {when}开始开机后一直黑屏，电源灯是亮的，外接显示器也没有画面。",
                "内存条接触不良",
                "重新插拔并清洁内存条，开机测试正常",
            ),
            v(
                "电脑经常蓝屏，错误 {code}",
                "电脑最近经常蓝屏，错误代码 {code}，每天至少两三次，文件经常来不及保存。",
                "硬盘出现坏道",
                "更换固态硬盘并从备份恢复数据",
            ),
            v(
                "{a} 电池鼓包，需要更换",
                "笔记本底部鼓起来了，触控板按不下去，担心电池有安全隐患。",
                "电池老化鼓包",
                "更换电池，旧电池按危险品回收",
            ),
            v(
                "笔记本键盘部分按键失灵",
                "键盘上有{m}个键按了没有反应，外接键盘是正常的，打字很不方便。",
                "键盘排线松动",
                "重新固定键盘排线，所有按键测试正常",
            ),
            v(
                "电脑风扇噪音很大，机身很烫",
                "电脑风扇一直狂转，机身很烫，打开几个 Excel 就卡住。",
                "散热风扇积灰严重",
                "清洁风扇并更换导热硅脂，温度恢复正常",
            ),
        ],
        details: &[
            "资产编号：{asset}",
            "电脑型号：{a}",
            "已经使用{m}年",
            "电脑里有重要的客户资料，请注意备份",
            "已经影响正常工作",
            "保修状态：不确定",
        ],
        things: LAPTOPS,
        codes: BSOD_CODES,
        tags: &["laptop", "hardware", "pc"],
        notes: &[
            "保修查询：还在保修期内，可以申请厂商上门。",
            "已准备备用机，先让用户继续工作。",
        ],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 4,
        field: true,
        topic: "显示器",
        variants: &[
            v(
                "显示器没有信号",
                "工位上的显示器 {a} {when}开始显示“无信号”，换了线也不行。",
                "显示器主板故障",
                "更换备用显示器，故障机已送修",
            ),
            v(
                "扩展坞连接显示器后闪屏",
                "笔记本接扩展坞后外接显示器一直闪屏，偶尔黑屏几秒。",
                "扩展坞固件版本过旧",
                "升级扩展坞固件后恢复正常",
            ),
            v(
                "第二块显示器不亮（{a}）",
                "双屏里第二块显示器 {a} 不亮，电源灯一直闪橙色。",
                "显示器电源板故障",
                "更换备用显示器，故障机已送修",
            ),
            v(
                "显示器出现横线和花屏",
                "显示器上出现几道横线，有时候整个屏幕花屏，动一下线会好一点。",
                "HDMI 线材损坏",
                "更换 HDMI 线后显示正常",
            ),
        ],
        details: &[
            "显示器型号：{a}",
            "资产编号：{asset}",
            "连接方式：HDMI / Type-C 扩展坞",
            "电脑型号：{laptop}",
        ],
        things: MONITORS,
        tags: &["monitor", "hardware", "dock"],
        ..BASE
    },
    Scenario {
        category: HW,
        kind: Kind::Request,
        weight: 4,
        topic: "设备",
        variants: &[
            v(
                "新员工入职，需要配置笔记本电脑",
                "我们部门下周有{m}位新同事入职，需要准备笔记本电脑、显示器和账号。",
                "新员工入职设备需求",
                "已准备{m}台 {a} 并完成系统预装，已交付用户签收",
            ),
            v(
                "申请借用备用笔记本出差",
                "下周要去{city}出差{m}天，申请借用一台备用笔记本。",
                "出差临时借用设备",
                "已从备用池借出一台 {a}，归还日期已登记",
            ),
            v(
                "申请在{floor}楼增加一台打印机",
                "{floor}楼现在只有一台打印机，{n}个人共用，经常排队，申请再增加一台打印机。",
                "打印需求增加，现有打印机不足",
                "已采购并安装新打印机，驱动已推送到{floor}楼所有电脑",
            ),
            v(
                "申请更换无线键盘鼠标",
                "无线键盘鼠标经常断连，换了电池也一样，申请更换一套。",
                "外设老化",
                "已更换新的键盘鼠标",
            ),
        ],
        details: &[
            "期望交付日期：下周一",
            "需要预装：Office、企业微信、ERP 客户端",
            "已获得部门经理批准",
            "联系人：{user}",
        ],
        things: LAPTOPS,
        tags: &["request", "hardware", "onboarding"],
        ..BASE
    },
    Scenario {
        category: HW,
        kind: Kind::Question,
        weight: 2,
        topic: "打印机",
        variants: &[
            v(
                "怎么在电脑上添加{floor}楼的打印机？",
                "刚换到{floor}楼办公，请问怎么在电脑上添加这层的打印机？",
                "用户咨询添加打印机的方法",
                "已发送添加打印机的操作指引，用户已成功打印测试页",
            ),
            v(
                "如何用手机打印文件？",
                "请问手机上的文件可以直接发送到公司打印机打印吗？",
                "用户咨询移动打印",
                "已告知打印机邮箱和移动打印 App 的使用方法",
            ),
            v(
                "打印机怎么设置双面打印？",
                "想默认设置双面打印节省纸张，请问在哪里设置？",
                "用户咨询打印设置",
                "已远程协助设置默认双面打印",
            ),
        ],
        details: &["电脑型号：{laptop}", "位置：{floor}楼{room}"],
        tags: &["printer", "howto"],
        ..BASE
    },
    Scenario {
        category: SW,
        weight: 9,
        topic: "邮件",
        variants: &[
            v(
                "{a} 收不到邮件，提示 {code}",
                "{when}开始 {a} 收不到新邮件，发出去的邮件也一直停在发件箱，提示错误 {code}，网络是正常的。",
                "修改密码后客户端保存的凭据过期",
                "清除凭据管理器中的旧密码后重新登录，邮件收发正常",
            ),
            v(
                "邮件发送失败，退信 {code}",
                "给客户发邮件被退回，退信提示 {code}，但是发给公司同事是正常的。",
                "收件方服务器把我方发信 IP 列入了黑名单",
                "联系对方邮件管理员解除黑名单，并补充 SPF/DKIM 记录",
            ),
            v(
                "邮箱空间已满，无法接收邮件",
                "系统提示邮箱空间已满，收不到新邮件了，客户说给我发的邮件被退回。",
                "邮箱配额已满",
                "归档旧邮件，并将邮箱配额扩大到 100 GB",
            ),
            v(
                "Outlook 打开很慢，一直显示“正在处理”",
                "Outlook 打开要好几分钟，期间一直显示“正在处理”，有时候直接未响应，邮件也收不全。",
                "Outlook 加载项冲突，OST 数据文件过大",
                "禁用冲突的加载项并压缩 OST 文件，Outlook 打开速度恢复正常",
            ),
            v(
                "共享邮箱在 Outlook 里看不到了",
                "部门共享邮箱{when}开始在 Outlook 左侧列表里消失了，客户发来的邮件没法及时处理。",
                "共享邮箱权限在账号迁移时丢失",
                "重新授予共享邮箱完全访问权限，重启 Outlook 后已自动加载",
            ),
        ],
        details: &[
            "邮件客户端：{a}",
            "网页版邮箱可以正常收发",
            "电脑型号：{laptop}",
            "手机上的邮件正常",
        ],
        things: &["Outlook", "Foxmail"],
        codes: MAIL_CODES,
        tags: &["email", "outlook", "software"],
        ..BASE
    },
    Scenario {
        category: SW,
        weight: 5,
        topic: "系统",
        variants: &[
            v(
                "{a}登录报错 {code}",
                "{when}开始登录{a}时报错 {code}，财务部{n}个人都进不去，月底结账比较急。",
                "应用服务器许可证过期",
                "更新许可证并重启应用服务，用户可以正常登录",
            ),
            v(
                "{a}打印凭证时程序卡死",
                "在{a}里打印凭证时程序卡死，只能强制关闭，已经丢了两次数据。",
                "客户端打印控件版本不兼容",
                "重新安装打印控件，凭证打印恢复正常",
            ),
            v(
                "{a}月结时报错，无法结账",
                "{a}月结时提示 {code}，结账无法完成，明天要出报表。",
                "月结存储过程因数据异常中断",
                "修正异常凭证数据后重新执行月结",
            ),
            v(
                "{a}查询报表非常慢",
                "{a}查询销售报表要等好几分钟，有时候直接超时，网络看起来是正常的。",
                "报表查询缺少索引，数据库服务器磁盘也接近占满",
                "清理数据库日志释放空间，并协助厂商增加索引，查询时间降到几秒",
            ),
        ],
        details: &[
            "系统：{a}",
            "影响人数：{n}人",
            "截图已附上",
            "电脑型号：{laptop}",
        ],
        things: &["金蝶 K/3", "用友 U8", "SAP", "OA 系统", "CRM 系统"],
        codes: &["E-4012", "ORA-12541", "HTTP 500", "-2147467259", "TIMEOUT"],
        tags: &["erp", "software", "finance"],
        notes: &["已联系软件厂商技术支持，工单号 SR-{asset}。"],
        ..BASE
    },
    Scenario {
        category: SW,
        kind: Kind::Request,
        weight: 4,
        topic: "软件",
        variants: &[
            v(
                "申请安装 {a}",
                "因为项目需要，申请在我的电脑（{asset}）上安装 {a}，已经得到部门经理批准。",
                "项目需要新增软件",
                "已通过软件分发平台推送安装 {a}，用户确认可用",
            ),
            v(
                "{a} 激活失败，提示许可证无效",
                "{a} 打开时提示许可证无效，需要重新激活，错误代码 {code}。",
                "许可证绑定的设备信息变化",
                "重新分配许可证并激活成功",
            ),
            v(
                "{a} 更新后打不开",
                "{a} 昨晚自动更新后就打不开了，点击图标没有反应。",
                "更新包安装不完整",
                "卸载后重新安装最新版本，可以正常打开",
            ),
        ],
        details: &[
            "资产编号：{asset}",
            "电脑型号：{laptop}",
            "已获得部门经理批准",
        ],
        things: &[
            "Office 365",
            "Adobe Acrobat",
            "AutoCAD",
            "Visio",
            "企业微信",
            "钉钉",
            "Zoom",
        ],
        codes: LICENSE_CODES,
        tags: &["software", "install", "license"],
        ..BASE
    },
    Scenario {
        category: SW,
        kind: Kind::Question,
        weight: 6,
        topic: "邮件",
        variants: &[
            v(
                "如何在手机上配置公司邮件？",
                "新换了手机，请问怎么在手机上配置公司邮件？需要填什么服务器地址？",
                "用户咨询手机邮件配置",
                "已发送知识库文章链接，并远程协助完成设置",
            ),
            v(
                "Outlook 怎么设置自动回复？",
                "下周要休假{m}天，请问 Outlook 怎么设置邮件自动回复？",
                "用户咨询邮件自动回复设置",
                "已告知操作步骤，用户已设置成功",
            ),
            v(
                "怎么在 Outlook 里添加共享日历？",
                "请问怎样在 Outlook 里添加团队的共享日历？",
                "用户咨询共享日历",
                "已远程演示添加共享日历的步骤",
            ),
            v(
                "邮件附件大小有限制吗？",
                "给客户发一个{n} MB 的附件总是失败，请问邮件附件有大小限制吗？",
                "用户咨询邮件附件限制",
                "已说明附件限制为 25 MB，建议大文件使用网盘链接",
            ),
        ],
        details: &["手机型号：iPhone / 安卓", "电脑型号：{laptop}"],
        tags: &["email", "howto"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Request,
        weight: 9,
        topic: "密码",
        variants: &[
            v(
                "忘记密码，申请重置",
                "休假回来后忘记了电脑登录密码，试了几次账号就被锁定了，麻烦帮忙重置密码。",
                "多次输错密码导致账号锁定",
                "核实身份后解锁账号并重置临时密码，用户已修改密码并登录",
            ),
            v(
                "{a}账号被锁定，提示密码错误次数过多",
                "登录{a}时提示账号已锁定，可能是手机上的邮箱还在用旧密码一直尝试。",
                "手机邮件客户端使用旧密码反复尝试登录",
                "更新手机邮件客户端中的密码后，账号不再被锁定",
            ),
            v(
                "域账号密码过期，VPN 也登不上",
                "系统提示密码已过期，现在电脑、邮件和 VPN 都登不上，麻烦帮忙处理。",
                "密码已过期",
                "协助用户修改密码并同步到 VPN，登录恢复正常",
            ),
            v(
                "修改密码时一直提示不符合要求",
                "修改密码时一直提示不符合复杂度要求，试了好几个都不行，请问密码有什么规则？",
                "新密码不符合复杂度策略",
                "说明密码策略并协助用户设置了符合要求的新密码",
            ),
            v(
                "账号被锁定，无法登录电脑",
                "{when}开始登录电脑一直提示密码错误，然后账号就被锁定了，确认没有输错。",
                "一台旧电脑上保存的凭据反复尝试登录，导致账号锁定",
                "解锁账号并清除旧电脑上保存的密码，为用户开通自助密码重置",
            ),
        ],
        details: &[
            "工号：{asset}",
            "已通过部门主管核实身份",
            "手机上也配置了公司邮件",
            "账号：请求人邮箱",
        ],
        things: &["域账号", "邮箱", "ERP", "OA", "VPN"],
        tags: &["password", "account", "lockout"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Request,
        weight: 4,
        topic: "权限",
        variants: &[
            v(
                "申请开通{a}权限",
                "因岗位调整，需要开通{a}的访问权限，已经得到部门经理同意。",
                "岗位调整需要新增权限",
                "已将用户加入对应权限组，重新登录后可以访问",
            ),
            v(
                "新员工需要开通邮箱和域账号",
                "下周一有新同事入职，需要开通域账号、邮件和{a}权限。",
                "新员工入职账号开通",
                "已创建域账号和邮箱，初始密码已通过短信发送",
            ),
            v(
                "访问{a}提示拒绝访问",
                "打开{a}时提示“拒绝访问”，之前是可以用的，麻烦看一下权限。",
                "用户不在对应的权限组中",
                "已按最小权限原则重新开通权限，并通知部门经理",
            ),
        ],
        details: &[
            "部门经理：已审批",
            "需要的权限：只读",
            "需要的权限：读写",
            "生效日期：下周一",
        ],
        things: &[
            "财务共享盘",
            "项目资料共享盘",
            "ERP 采购模块",
            "CRM 客户数据",
            "OA 审批流程",
        ],
        tags: &["access", "account", "permission"],
        ..BASE
    },
    Scenario {
        category: ACC,
        weight: 2,
        topic: "验证码",
        variants: &[
            v(
                "换手机后无法完成二次验证",
                "换了新手机（{a}），身份验证器里的账号没有迁移过来，现在登录邮件要二次验证，进不去。",
                "更换手机后验证器未迁移",
                "核实身份后重置 MFA，用户已在新手机上重新绑定",
            ),
            v(
                "登录时收不到短信验证码",
                "登录 OA 和邮件时收不到短信验证码，等了十几分钟也没有，密码是对的。",
                "短信网关被运营商拦截",
                "切换到验证器 App 方式并完成绑定",
            ),
        ],
        details: &["手机号：已在 HR 系统登记", "手机型号：{a}"],
        things: &["iPhone 15", "华为 Mate 60", "小米 14"],
        tags: &["mfa", "account", "password"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Question,
        weight: 2,
        topic: "密码",
        variants: &[
            v(
                "密码多久需要修改一次？",
                "请问公司的电脑密码多久需要修改一次？有什么要求？",
                "用户咨询密码策略",
                "已告知密码每 90 天修改一次及复杂度要求",
            ),
            v(
                "如何自助重置密码？",
                "如果忘记密码了，可以自己重置吗？在哪里操作？",
                "用户咨询自助重置密码",
                "已发送自助重置密码指引，用户已完成注册",
            ),
        ],
        tags: &["password", "howto"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        weight: 3,
        field: true,
        topic: "会议室设备",
        variants: &[
            v(
                "{room}会议室投影仪无法投屏",
                "{floor}楼{room}会议室的投影仪一直显示无信号，笔记本接 HDMI 也没反应，下午有客户会议。",
                "HDMI 切换器故障",
                "更换 HDMI 切换器，投屏恢复",
            ),
            v(
                "会议室大屏无线投屏连不上",
                "{room}会议室大屏的无线投屏找不到设备，连了会议室的网络也不行。",
                "投屏盒子与网络断开",
                "重启投屏盒子并重新连接会议室网络",
            ),
            v(
                "{room}会议室视频会议摄像头不工作",
                "视频会议时摄像头没有画面，软件里显示找不到设备。",
                "摄像头 USB 延长线损坏",
                "更换 USB 延长线，摄像头恢复",
            ),
        ],
        details: &["会议室：{floor}楼{room}", "会议时间：今天下午"],
        tags: &["meeting-room", "av"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        weight: 2,
        topic: "电话",
        variants: &[
            v(
                "座机没有拨号音（分机 {ext}）",
                "我的座机（分机 {ext}）{when}开始没有拨号音，拿起话筒没有声音。",
                "话机 PoE 网口故障",
                "更换交换机端口后话机恢复",
            ),
            v(
                "座机无法转接电话",
                "座机转接电话时直接断线，客户打进来很麻烦。",
                "呼叫转接配置错误",
                "修正转接配置并测试通过",
            ),
            v(
                "前台总机电话打不进来",
                "前台总机{when}开始客户打不进来，提示忙音。",
                "SIP 中继注册失败",
                "重新注册 SIP 中继，外线恢复",
            ),
        ],
        details: &[
            "分机号：{ext}",
            "位置：{floor}楼{room}",
            "话机型号：Yealink T54W",
        ],
        tags: &["phone", "voip"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        kind: Kind::Request,
        weight: 1,
        field: true,
        topic: "搬迁",
        variants: &[
            v(
                "部门搬到{floor}楼，需要迁移电脑和电话",
                "我们部门下周五要搬到{floor}楼，需要迁移{n}台电脑和电话，并开通新工位的网口。",
                "部门办公位置调整",
                "已完成{n}台电脑、电话迁移和网口开通，全部测试正常",
            ),
            v(
                "办公室调整，{n}个工位需要搬迁",
                "因为办公室调整，{n}个工位需要搬迁，请安排 IT 配合。",
                "办公室工位调整",
                "已完成{n}个工位的搬迁和网络测试",
            ),
        ],
        details: &["搬迁时间：下周五晚上", "联系人：{user}"],
        tags: &["move", "request"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        kind: Kind::Question,
        weight: 2,
        topic: "IT 政策",
        variants: &[
            v(
                "笔记本可以带回家办公吗？",
                "请问公司的笔记本可以带回家办公吗？需要走什么流程？",
                "用户咨询设备外带政策",
                "已告知需在资产系统登记外带，并发送 IT 政策链接",
            ),
            v(
                "如何申请远程办公设备？",
                "下个月开始部分时间远程办公，请问怎么申请显示器等设备？",
                "用户咨询远程办公设备",
                "已说明申请流程，用户已在门户提交申请",
            ),
            v(
                "公司有推荐的杀毒软件吗？",
                "家里电脑想装杀毒软件，公司有推荐的吗？",
                "用户咨询杀毒软件",
                "已推荐公司授权的杀毒软件并发送安装说明",
            ),
        ],
        tags: &["howto", "policy"],
        ..BASE
    },
];

pub(super) static ZH: Lang = Lang {
    scenarios: ZH_SCENARIOS,
    when: &[
        "今天早上",
        "昨天下午",
        "周一",
        "一个小时前",
        "今天上午十点左右",
        "午休之后",
        "昨晚停电之后",
    ],
    cities: &["北京", "广州", "成都", "武汉", "杭州", "西安", "南京"],
    greetings: &["您好，", "IT 同事好，", "你好，", "各位好："],
    closings: &[
        "麻烦尽快处理，谢谢！",
        "辛苦了，谢谢！",
        "如需远程协助，请打分机 {ext} 联系我。",
        "今天下班前能处理吗？",
        "谢谢支持！",
        "有问题请随时联系我。",
    ],
    urgent_closings: &[
        "影响整个部门业务，请立即处理！",
        "客户在现场等着，非常紧急！",
        "生产受到影响，请马上安排人员！",
    ],
    tried: [
        &[
            "重启了设备",
            "检查了电源线和数据线",
            "换了一个插座",
            "关机等了几分钟再开",
            "问了旁边同事，他们也一样",
        ],
        &[
            "重启了电脑",
            "退出后重新登录",
            "清除了浏览器缓存",
            "换了一台电脑试，也一样",
            "检查了网络，可以正常上网",
        ],
        &[
            "重启了电脑",
            "重新插拔网线",
            "关闭再打开 Wi-Fi",
            "换了一个网口",
            "用手机热点测试，可以上网",
        ],
        &[
            "用手机登录也不行",
            "确认大写锁定没有打开",
            "等了半小时再试",
            "尝试了自助重置密码，收不到验证码",
        ],
        &["重启了设备", "检查了线缆连接", "问了行政同事"],
    ],
    details_heading: "**详细信息**",
    tried_heading: "**已尝试**",
    error_heading: "报错信息：",
    location: "位置：{site}，{floor}楼{room}",
    phone_note: "> 电话来电，服务台代为记录。",
    walk_in_note: "> 用户到服务台现场报修。",
    complaint_prefix: "投诉：",
    urgent_prefix: "【紧急】",
    monitor_prefix: "【监控告警】",
    complaint_paras: &[
        "这个问题已经报过{m}次了，一直没有彻底解决，非常影响工作。",
        "等了两天还没有人联系我，希望尽快给个说法。",
        "上次说已经修好了，结果第二天又坏了，希望认真处理。",
    ],
    ack: &[
        "{user}您好，已收到您的工单，我们正在排查{topic}问题，稍后给您回复。",
        "您好，我是{agent}，已经开始处理，请问方便远程协助吗？",
        "收到，已安排工程师跟进。请问问题是从什么时候开始的？",
        "您好，请问除了您之外还有其他同事受影响吗？",
        "{user}您好，工单已受理，当前处理人：{agent}。",
    ],
    progress: &[
        "已远程检查，初步判断是{topic}相关配置问题，正在进一步确认。",
        "已联系厂商，预计{m}个工作日内上门。",
        "麻烦您重启一下电脑再试一次，看看问题是否还在。",
        "工程师今天下午会到{floor}楼现场处理。",
        "已找到原因，正在处理，预计今天内恢复。",
    ],
    ask: &[
        "请提供一下报错截图和电脑资产编号，谢谢。",
        "请问您什么时候方便？我们需要远程连接您的电脑。",
        "请确认一下问题是否还存在，如有请直接回复此工单。",
        "麻烦提供一下受影响同事的名单。",
    ],
    done: &[
        "问题已处理，请确认是否正常。如有问题直接回复即可。",
        "已修复，请再试一下。如果三天内没有回复，工单将自动关闭。",
        "{user}您好，{topic}问题已解决，处理详情见服务报告。",
    ],
    replies: &[
        "好的，谢谢！",
        "截图已附上，麻烦看一下。",
        "我下午两点以后都在工位，可以远程。",
        "刚才又出现了一次，问题还在。",
        "请问大概什么时候能修好？比较着急。",
        "补充一下：{floor}楼其他同事也有同样的问题。",
    ],
    followups: &[
        "补充一下：问题还在，{floor}楼其他同事也遇到了。",
        "请问有人在处理吗？",
        "补充截图，见附件。",
    ],
    confirms: &[
        "确认已经正常了，辛苦！",
        "可以了，谢谢！",
        "测试过了，没有问题。",
    ],
    internal: &[
        "已远程登录检查，事件日志里有大量相关报错。",
        "用户所在单位是重点客户，优先处理。",
        "和 {tier} 同事确认过，需要进一步排查。",
        "备件已申请，单号 PO-{asset}。",
        "同类问题本周第{m}次，考虑建问题单跟踪。",
    ],
    csat_high: &[
        "处理很及时，工程师很专业！",
        "速度很快，点赞！",
        "服务态度很好，谢谢。",
    ],
    csat_mid: &[
        "解决了，但等得有点久。",
        "问题解决了，希望以后响应更快一些。",
    ],
    csat_low: &["问题反复出现，希望彻底解决。", "响应太慢了。"],
    prevention: &[
        "已加入巡检清单，每月检查一次",
        "已更新知识库文章，方便用户自助处理",
        "计划下季度更换同批次老旧设备",
        "已配置监控告警，提前发现类似问题",
        "已对相关用户进行培训",
    ],
};

// ---------------------------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------------------------

const EN_SCENARIOS: &[Scenario] = &[
    Scenario {
        category: NET,
        weight: 9,
        field: true,
        monitor: true,
        topic: "network",
        variants: &[
            v(
                "Network down on level {floor}, can't reach shared drives",
                "Since {when} the wired network on level {floor} has been down. About {n} PCs can't reach the intranet or the shared drives, and email isn't coming in.",
                "Faulty access switch port on level {floor}",
                "Replaced the faulty switch port and re-patched; all {n} PCs are back on the network",
            ),
            v(
                "Intermittent network drops at {site}",
                "The network at {site} has been dropping every few minutes since {when}; pings to the gateway {ip} time out and video calls keep cutting off.",
                "A failed uplink SFP module made the link flap",
                "Replaced the SFP module and watched the link for 24 hours",
            ),
            v(
                "No network on the wall port in room {room}",
                "The wall port in room {room} on level {floor} does nothing: the PC says \"Network cable unplugged\" even with a new cable.",
                "The cable from the wall port to the patch panel was damaged during a fit-out",
                "Re-terminated the cable run and tested the network link end to end",
            ),
            v(
                "{n} PCs lost their network connection",
                "Everyone in our team ({n} people) gets \"No network access\" and the port lights are off. Rebooting didn't help.",
                "An ageing power adapter made the comms room switch reboot",
                "Replaced the switch power supply and added a UPS; the network is stable",
            ),
            v(
                "IP conflicts on level {floor}: no email or file shares",
                "Many PCs on level {floor} have 169.254 addresses or report an IP address conflict, so email and the file shares are unreachable over the network.",
                "A rogue router plugged in a meeting room caused DHCP conflicts",
                "Removed the rogue router and enabled DHCP snooping on the switch",
            ),
        ],
        details: &[
            "Affected users: about {n}",
            "Switch: level {floor} comms room",
            "The network printer on this floor is unreachable too",
            "Phones on Wi-Fi still work; only the wired network is affected",
            "Gateway {ip} doesn't answer ping",
        ],
        tags: &["network", "lan", "outage"],
        notes: &[
            "Logged into the switch: port Gi1/0/{m} shows lots of CRC errors.",
            "Core switch log shows the level {floor} uplink going up and down.",
            "Needs a field engineer on site with a spare switch.",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 7,
        field: true,
        topic: "Wi-Fi",
        variants: &[
            v(
                "Can't join the {ssid} Wi-Fi in meeting room {room}",
                "Since {when} nobody can join the {ssid} Wi-Fi in meeting room {room}; laptops and phones both say \"Can't connect to this network\".",
                "The access point on level {floor} had failed and gone offline",
                "Replaced the failed access point and pushed its configuration; the wireless network is back",
            ),
            v(
                "Weak wireless network signal on level {floor}",
                "The wireless network is very weak by the windows on level {floor}. It drops all the time and speeds are a few hundred KB/s.",
                "Channel congestion with the neighbouring office's network and thin coverage by the windows",
                "Retuned channels and power and added an access point by the windows",
            ),
            v(
                "Laptop can't join the {ssid} Wi-Fi: password rejected",
                "Joining {ssid} keeps saying the password is wrong, although it hasn't changed; colleagues' laptops can't join this wireless network either.",
                "An expired certificate on the wireless controller broke 802.1X sign-in",
                "Renewed the controller certificate; users reconnected fine",
            ),
            v(
                "Connected to Wi-Fi but no internet",
                "After connecting to {ssid}, Windows says \"No internet, secured\". The wired network works, so it's the wireless network.",
                "The wireless DHCP pool was exhausted",
                "Enlarged the wireless network's DHCP pool and shortened the lease time",
            ),
        ],
        details: &[
            "SSID: {ssid}",
            "Laptop: {laptop}",
            "Location: level {floor}, room {room}",
            "Colleagues nearby have the same problem",
            "Signal shows one bar",
        ],
        tags: &["wifi", "network", "wireless"],
        notes: &[
            "Controller shows AP-{m} on level {floor} offline.",
            "Measured about -78 dBm on site; coverage is too thin.",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 8,
        topic: "VPN",
        variants: &[
            v(
                "VPN fails with error {code}",
                "Since {when} the VPN fails from home with error {code}. My home network is fine and websites load normally.",
                "Expired VPN user certificate",
                "Reissued and imported the certificate; the VPN connects again",
            ),
            v(
                "Can't connect to the VPN from my hotel in {city}",
                "I'm in {city} this week. The hotel network works for browsing, but the VPN won't connect (error {code}).",
                "The hotel network blocks IPsec ports",
                "Switched to SSL VPN on port 443, which connects fine",
            ),
            v(
                "VPN connects but {a} is unreachable",
                "The VPN says connected, but I can't open {a}; it just keeps loading while other sites work.",
                "Outdated VPN client, incompatible with the new gateway's routes",
                "Upgraded the VPN client to the latest version",
            ),
            v(
                "VPN keeps disconnecting every ten minutes",
                "The VPN client drops every ten minutes or so and asks for my password again. Speed tests show the network itself is fine.",
                "The VPN gateway hit its licensed session limit and dropped idle sessions",
                "Expanded the gateway licence and cleared stale sessions",
            ),
        ],
        details: &[
            "VPN client: FortiClient 7.2",
            "Laptop: {laptop}",
            "Home broadband: {n}00 Mbps",
            "Same result on a phone hotspot",
            "Colleagues can connect normally",
        ],
        things: &[
            "the ERP",
            "the shared drives",
            "the intranet",
            "the finance system",
            "the CRM",
        ],
        codes: VPN_CODES,
        tags: &["vpn", "network", "remote"],
        notes: &[
            "Gateway log shows IKE negotiation failing for this user.",
            "Confirmed the user's network blocks UDP 500/4500.",
        ],
        ..BASE
    },
    Scenario {
        category: NET,
        weight: 5,
        monitor: true,
        topic: "network",
        variants: &[
            v(
                "The whole office network is very slow",
                "Since {when} the whole office network has been slow: pages take ten seconds or more and downloads are under 100 KB/s.",
                "An infected PC flooded outbound traffic and saturated the uplink",
                "Isolated and cleaned the infected PC; bandwidth is back to normal",
            ),
            v(
                "High latency at {site}, video calls freezing",
                "Video calls with clients keep freezing; a speed test shows network latency above {n}0 ms.",
                "Carrier line fault",
                "The carrier repaired the line; we ran on the backup link meanwhile",
            ),
            v(
                "External websites won't load, intranet is fine",
                "Internal systems work, but no external websites load (\"server not found\"). Looks like a DNS or network problem.",
                "Wrong DNS forwarder configuration",
                "Fixed the DNS forwarders and flushed caches",
            ),
            v(
                "Network crawling since lunchtime, uploads time out",
                "Since lunchtime the network has been crawling, especially uploads and emails with attachments, which time out.",
                "A cloud sync client saturated the upload bandwidth",
                "Added a rate limit for sync traffic on the firewall",
            ),
        ],
        details: &[
            "Speed test: {m} Mbps down",
            "Affected: all of {site}",
            "Gateway {ip} pings fine, external hosts drop packets",
            "Both the wired and the wireless network are affected",
        ],
        tags: &["network", "bandwidth", "dns"],
        ..BASE
    },
    Scenario {
        category: NET,
        kind: Kind::Request,
        weight: 3,
        field: true,
        topic: "network",
        variants: &[
            v(
                "Activate a network port for a new starter (room {room})",
                "A new starter joins on Monday at a desk in room {room}, level {floor}. Please activate the network port.",
                "The network port at the new desk was not patched",
                "Patched the port and assigned it to the office VLAN; tested OK",
            ),
            v(
                "Guest Wi-Fi needed for {n} visitors",
                "{n} client visitors are here for training next week; please set up temporary guest Wi-Fi network access for two days.",
                "Temporary visitor network access",
                "Enabled guest Wi-Fi; the password went to the contact by email and expires automatically",
            ),
            v(
                "Extra network port needed in meeting room {room}",
                "Meeting room {room} has a single network port, which isn't enough for the projector and the video bar. Please add another.",
                "Too few network ports in the meeting room",
                "Installed an 8-port switch and tidied the cabling",
            ),
        ],
        details: &[
            "Needed by: this Friday",
            "Ports needed: {m}",
            "Contact: {user}",
        ],
        tags: &["network", "request", "onboarding"],
        ..BASE
    },
    Scenario {
        category: NET,
        kind: Kind::Question,
        weight: 3,
        topic: "network",
        variants: &[
            v(
                "How do I connect my phone to the office Wi-Fi network?",
                "How do I get my phone onto the office wireless network? Do I need a certificate?",
                "User asked how to join the wireless network",
                "Sent the phone Wi-Fi guide; the user is connected",
            ),
            v(
                "How do I set up the VPN at home?",
                "I'm working from home from next week. How do I set up the VPN to reach the intranet and shared drives?",
                "User asked how to set up the VPN",
                "Sent the VPN setup guide and helped finish it remotely",
            ),
            v(
                "Where do I find the guest Wi-Fi password?",
                "A client visiting us needs network access. Where can I find the guest Wi-Fi password?",
                "User asked for the guest network password",
                "Explained that the guest password changes weekly and reception has it",
            ),
        ],
        details: &["Phone: iPhone / Android", "Laptop: {laptop}"],
        tags: &["network", "howto"],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 14,
        field: true,
        monitor: true,
        topic: "printer",
        variants: &[
            v(
                "Printer on level {floor} shows error {code}",
                "Since {when} the printer on level {floor} ({a}) won't print. The panel shows error {code}; power cycling didn't help.",
                "Worn fuser unit at end of life",
                "Replaced the fuser; the test page prints fine",
            ),
            v(
                "Paper jam on the {a}, can't print",
                "The printer ({a}) keeps jamming. I clear the paper, it prints a few pages and jams again. I need to print contracts this afternoon.",
                "Worn pickup roller causing frequent jams",
                "Replaced the pickup roller and cleaned the paper path; a long print run works",
            ),
            v(
                "Print jobs stuck in the queue on the {a}",
                "Print jobs sit in the queue and never come out. {n} people on this floor can't print, although the network is fine.",
                "The print spooler on the print server hung",
                "Restarted the Print Spooler service and cleared the queue",
            ),
            v(
                "Printer prints black streaks",
                "Every page comes out of the printer with a black vertical streak. A new toner cartridge didn't fix it, and we need to print quotes for a client.",
                "Scratched imaging drum",
                "Replaced the drum; print quality is back to normal",
            ),
            v(
                "Level {floor} printer offline for everyone",
                "Since {when} the level {floor} printer shows as offline for everyone, although its panel says the network is connected.",
                "Another device took the printer's IP address, so it went offline",
                "Reserved the printer's IP and re-added the printer; everyone can print",
            ),
        ],
        details: &[
            "Printer model: {a}",
            "Asset tag: {asset}",
            "Printer IP: {ip}",
            "Location: level {floor} print area",
            "Colleagues can't print either",
            "Copy and scan work, only printing fails",
        ],
        things: PRINTERS,
        codes: PRINTER_CODES,
        tags: &["printer", "hardware", "print"],
        notes: &[
            "Logged a call with the printer vendor; technician due tomorrow.",
            "The part is in stock, can swap it today.",
            "Print server queue has {n} stuck jobs.",
        ],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 7,
        field: true,
        topic: "laptop",
        variants: &[
            v(
                "Laptop ({a}) black screen at startup",
                "Since {when} my {a} shows a black screen after power-on. The power light is on; an external monitor shows nothing either.",
                "Loose memory module",
                "Reseated and cleaned the memory; boots and tests fine",
            ),
            v(
                "PC keeps blue-screening with {code}",
                "My PC blue-screens two or three times a day with {code} and I keep losing unsaved work.",
                "Failing disk with bad sectors",
                "Replaced the SSD and restored data from backup",
            ),
            v(
                "{a} battery is swollen",
                "The bottom of my laptop is bulging and the touchpad won't click. I'm worried the battery is unsafe.",
                "Aged battery swelling",
                "Replaced the battery; the old one went to hazardous recycling",
            ),
            v(
                "Some laptop keys don't work",
                "{m} keys on my keyboard don't respond; an external keyboard works fine.",
                "Loose keyboard ribbon cable",
                "Reseated the keyboard cable and tested every key",
            ),
            v(
                "Laptop fan is loud and it runs very hot",
                "The fan runs flat out, the laptop is very hot, and it freezes with a few spreadsheets open.",
                "Heavy dust in the cooling fan",
                "Cleaned the fan and replaced the thermal paste; temperatures are normal",
            ),
        ],
        details: &[
            "Asset tag: {asset}",
            "Model: {a}",
            "Age: about {m} years",
            "Has important client files, please back up first",
            "Blocking my work",
        ],
        things: LAPTOPS,
        codes: BSOD_CODES,
        tags: &["laptop", "hardware", "pc"],
        notes: &[
            "Still under warranty, can book a vendor visit.",
            "Gave the user a loaner so they can keep working.",
        ],
        ..BASE
    },
    Scenario {
        category: HW,
        weight: 4,
        field: true,
        topic: "monitor",
        variants: &[
            v(
                "Monitor says no signal",
                "Since {when} my {a} monitor shows \"No signal\"; a different cable didn't help.",
                "Failed monitor main board",
                "Swapped in a spare monitor and sent the faulty one for repair",
            ),
            v(
                "Screen flickers through the docking station",
                "With the laptop on the dock, the external screen flickers and goes black for a few seconds.",
                "Outdated dock firmware",
                "Updated the dock firmware; the flicker is gone",
            ),
            v(
                "Second monitor ({a}) won't turn on",
                "My second monitor ({a}) stays dark and the power light blinks amber.",
                "Failed monitor power board",
                "Swapped in a spare monitor and sent the faulty one for repair",
            ),
            v(
                "Lines across the monitor",
                "There are horizontal lines across the screen and sometimes the picture garbles; wiggling the cable helps a bit.",
                "Damaged HDMI cable",
                "Replaced the HDMI cable",
            ),
        ],
        details: &[
            "Monitor: {a}",
            "Asset tag: {asset}",
            "Connection: HDMI / USB-C dock",
            "Laptop: {laptop}",
        ],
        things: MONITORS,
        tags: &["monitor", "hardware", "dock"],
        ..BASE
    },
    Scenario {
        category: HW,
        kind: Kind::Request,
        weight: 4,
        topic: "equipment",
        variants: &[
            v(
                "New starters need laptops",
                "{m} new colleagues join our team next week; they need laptops, monitors and accounts.",
                "New starter equipment",
                "Prepared {m} {a} laptops with the standard image and handed them over",
            ),
            v(
                "Loan laptop for a business trip",
                "I'm travelling to {city} for {m} days next week and need a loan laptop.",
                "Temporary loan for travel",
                "Issued a loaner {a} and logged the return date",
            ),
            v(
                "Request an extra printer for level {floor}",
                "Level {floor} has one printer for {n} people and there's always a queue. We'd like a second printer.",
                "More printing than one printer can handle",
                "Installed a new printer and pushed the driver to all PCs on level {floor}",
            ),
            v(
                "Replacement wireless keyboard and mouse",
                "My wireless keyboard and mouse keep disconnecting even with new batteries. Please replace them.",
                "Worn-out peripherals",
                "Replaced the keyboard and mouse",
            ),
        ],
        details: &[
            "Needed by: next Monday",
            "Preinstall: Office, Teams, the ERP client",
            "Approved by my manager",
            "Contact: {user}",
        ],
        things: LAPTOPS,
        tags: &["request", "hardware", "onboarding"],
        ..BASE
    },
    Scenario {
        category: HW,
        kind: Kind::Question,
        weight: 2,
        topic: "printer",
        variants: &[
            v(
                "How do I add the level {floor} printer?",
                "I've just moved to level {floor}. How do I add the printer on this floor?",
                "User asked how to add a printer",
                "Sent the add-a-printer guide; the user printed a test page",
            ),
            v(
                "Can I print from my phone?",
                "Can I send files from my phone to the office printer?",
                "User asked about mobile printing",
                "Explained the printer's email address and the mobile print app",
            ),
            v(
                "How do I make double-sided printing the default?",
                "I'd like to print double-sided by default to save paper. Where is the setting?",
                "User asked about printer settings",
                "Set double-sided printing as the default over remote assistance",
            ),
        ],
        details: &["Laptop: {laptop}", "Location: level {floor}, room {room}"],
        tags: &["printer", "howto"],
        ..BASE
    },
    Scenario {
        category: SW,
        weight: 9,
        topic: "email",
        variants: &[
            v(
                "{a} not receiving email ({code})",
                "Since {when} {a} doesn't receive new email and sent items sit in the outbox with error {code}. The network is fine.",
                "Stale saved credentials after a password change",
                "Cleared the old password from Credential Manager and signed in again; email works",
            ),
            v(
                "Email bounced with {code}",
                "Emails to a client bounce back with {code}; email to colleagues works.",
                "The recipient's server blocklisted our sending IP",
                "Had the recipient's admin delist us and added SPF/DKIM records",
            ),
            v(
                "Mailbox full, can't receive email",
                "I'm told my mailbox is full, and clients say their email to me bounces.",
                "Mailbox quota reached",
                "Archived old email and raised the mailbox quota to 100 GB",
            ),
            v(
                "Outlook very slow, stuck on \"Processing\"",
                "Outlook takes minutes to open, shows \"Processing\" the whole time and sometimes stops responding; email doesn't fully sync.",
                "A conflicting add-in and an oversized OST file",
                "Disabled the add-in and compacted the OST; Outlook opens quickly again",
            ),
            v(
                "Shared mailbox disappeared from Outlook",
                "Since {when} our team's shared mailbox is missing from Outlook, so client email to it goes unanswered.",
                "Shared mailbox permissions were lost in an account migration",
                "Re-granted full access to the shared mailbox; Outlook loads it again after a restart",
            ),
        ],
        details: &[
            "Client: {a}",
            "Outlook on the web works",
            "Laptop: {laptop}",
            "Email on my phone works",
        ],
        things: &["Outlook", "Apple Mail"],
        codes: MAIL_CODES,
        tags: &["email", "outlook", "software"],
        ..BASE
    },
    Scenario {
        category: SW,
        weight: 5,
        topic: "application",
        variants: &[
            v(
                "{a} login error {code}",
                "Since {when} logging in to {a} fails with {code}. {n} people in Finance are locked out and it's month end.",
                "The application server's licence had expired",
                "Renewed the licence and restarted the service; users can log in",
            ),
            v(
                "{a} freezes when printing invoices",
                "{a} freezes when I print invoices; I have to force-close it and I've lost work twice.",
                "Incompatible print component on the client",
                "Reinstalled the print component; invoice printing works",
            ),
            v(
                "{a} month-end close fails",
                "The month-end close in {a} stops with {code}; we need the reports tomorrow.",
                "The month-end job stopped on a bad posting",
                "Corrected the bad posting and re-ran the month-end close",
            ),
            v(
                "{a} reports are extremely slow",
                "Sales reports in {a} take minutes or time out, although the network looks fine.",
                "Missing index on the report tables and a nearly full database disk",
                "Cleared database logs and worked with the vendor to add an index; reports now take seconds",
            ),
        ],
        details: &[
            "System: {a}",
            "Affected users: {n}",
            "Screenshot attached",
            "Laptop: {laptop}",
        ],
        things: &[
            "SAP Business One",
            "NetSuite",
            "Dynamics 365",
            "Salesforce",
            "Xero",
        ],
        codes: &["E-4012", "HTTP 500", "ORA-12541", "TIMEOUT", "AUTH-401"],
        tags: &["erp", "software", "finance"],
        notes: &["Opened a case with the vendor, ref SR-{asset}."],
        ..BASE
    },
    Scenario {
        category: SW,
        kind: Kind::Request,
        weight: 4,
        topic: "software",
        variants: &[
            v(
                "Please install {a}",
                "For a project I need {a} on my laptop ({asset}); my manager has approved it.",
                "New software needed for a project",
                "Deployed {a} through software distribution; the user confirmed it works",
            ),
            v(
                "{a} activation failed: licence invalid",
                "{a} says the licence is invalid and needs reactivation, error {code}.",
                "Licence bound to old device details",
                "Reassigned the licence and activated it",
            ),
            v(
                "{a} won't start after an update",
                "{a} updated itself last night and now won't start; clicking the icon does nothing.",
                "Incomplete update",
                "Uninstalled and reinstalled the latest version; it starts normally",
            ),
        ],
        details: &[
            "Asset tag: {asset}",
            "Laptop: {laptop}",
            "Manager approval: yes",
        ],
        things: &[
            "Microsoft 365",
            "Adobe Acrobat",
            "AutoCAD",
            "Visio",
            "Zoom",
            "Slack",
        ],
        codes: LICENSE_CODES,
        tags: &["software", "install", "license"],
        ..BASE
    },
    Scenario {
        category: SW,
        kind: Kind::Question,
        weight: 6,
        topic: "email",
        variants: &[
            v(
                "How do I set up work email on my phone?",
                "I have a new phone. How do I add my work email, and which server settings do I need?",
                "User asked how to set up email on a phone",
                "Sent the knowledge base article and helped set it up remotely",
            ),
            v(
                "How do I set an out-of-office reply in Outlook?",
                "I'm on leave for {m} days next week. How do I set an automatic email reply in Outlook?",
                "User asked about automatic replies",
                "Explained the steps; the user set it up",
            ),
            v(
                "How do I add a shared calendar in Outlook?",
                "How can I add our team's shared calendar in Outlook?",
                "User asked about shared calendars",
                "Walked the user through adding the shared calendar",
            ),
            v(
                "Is there a size limit for email attachments?",
                "Sending a {n} MB attachment to a client keeps failing. Is there an email size limit?",
                "User asked about attachment limits",
                "Explained the 25 MB limit and suggested a file share link for large files",
            ),
        ],
        details: &["Phone: iPhone / Android", "Laptop: {laptop}"],
        tags: &["email", "howto"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Request,
        weight: 9,
        topic: "password",
        variants: &[
            v(
                "Forgot my password, please reset",
                "Back from leave and I've forgotten my password; after a few tries the account is locked. Please reset it.",
                "Account locked after repeated wrong passwords",
                "Verified identity, unlocked the account and issued a temporary password; the user changed it and logged in",
            ),
            v(
                "{a} account locked after too many password attempts",
                "Logging in to {a} says my account is locked. My phone's email app may still be trying the old password.",
                "A phone email app kept retrying an old password",
                "Updated the password in the phone's email app; no more lockouts",
            ),
            v(
                "Password expired and the VPN won't connect",
                "My password expired and now my PC, email and VPN all refuse me. Please help.",
                "Password expired",
                "Helped the user change the password and synced it to the VPN",
            ),
            v(
                "New password keeps being rejected",
                "Changing my password keeps failing the complexity rules; I've tried several. What are the rules?",
                "The new password didn't meet the complexity policy",
                "Explained the policy and helped the user set a compliant password",
            ),
            v(
                "Account locked, can't log in to my PC",
                "Since {when} my PC says the password is wrong and then locks the account, although I'm typing it carefully.",
                "Saved credentials on an old PC kept retrying and locked the account",
                "Unlocked the account, removed the stale credentials and enrolled the user in self-service password reset",
            ),
        ],
        details: &[
            "Employee ID: {asset}",
            "Identity confirmed by my manager",
            "Work email is also set up on my phone",
            "Account: the requester's email",
        ],
        things: &["Windows", "Email", "ERP", "Intranet", "VPN"],
        tags: &["password", "account", "lockout"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Request,
        weight: 4,
        topic: "access",
        variants: &[
            v(
                "Access request: {a}",
                "After a role change I need access to {a}; my manager has approved.",
                "Role change requiring new access",
                "Added the user to the right group; access works after signing in again",
            ),
            v(
                "New starter needs email and a domain account",
                "A new colleague starts on Monday and needs a domain account, email and access to {a}.",
                "New starter accounts",
                "Created the domain account and mailbox; the initial password was sent by text",
            ),
            v(
                "Access denied on {a}",
                "Opening {a} now says \"Access denied\"; it used to work. Could you check my permissions?",
                "User missing from the permission group",
                "Restored least-privilege access and informed the manager",
            ),
        ],
        details: &[
            "Manager approval: yes",
            "Access needed: read-only",
            "Access needed: read/write",
            "Effective: next Monday",
        ],
        things: &[
            "the Finance shared drive",
            "the Projects share",
            "the ERP purchasing module",
            "CRM customer data",
            "the approvals workflow",
        ],
        tags: &["access", "account", "permission"],
        ..BASE
    },
    Scenario {
        category: ACC,
        weight: 2,
        topic: "sign-in",
        variants: &[
            v(
                "New phone, can't complete MFA",
                "I moved to a new phone ({a}) and my authenticator didn't transfer, so I can't pass the second step to read email.",
                "Authenticator not migrated to the new phone",
                "Verified identity and reset MFA; the user re-enrolled on the new phone",
            ),
            v(
                "Not receiving sign-in verification codes",
                "I'm not getting text message codes when signing in to email and the intranet; I waited fifteen minutes. The password is right.",
                "The carrier blocked the SMS gateway",
                "Switched the user to the authenticator app and enrolled it",
            ),
        ],
        details: &["Mobile number: registered in the HR system", "Phone: {a}"],
        things: &["iPhone 15", "Pixel 8", "Galaxy S24"],
        tags: &["mfa", "account", "password"],
        ..BASE
    },
    Scenario {
        category: ACC,
        kind: Kind::Question,
        weight: 2,
        topic: "password",
        variants: &[
            v(
                "How often do I need to change my password?",
                "How often do we have to change our PC password, and what are the rules?",
                "User asked about the password policy",
                "Explained the 90-day password policy and complexity rules",
            ),
            v(
                "How do I reset my password myself?",
                "If I forget my password, can I reset it myself? Where?",
                "User asked about self-service password reset",
                "Sent the self-service reset guide; the user enrolled",
            ),
        ],
        tags: &["password", "howto"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        weight: 3,
        field: true,
        topic: "meeting room",
        variants: &[
            v(
                "Projector in room {room} won't display",
                "The projector in room {room} on level {floor} shows no signal even with HDMI connected, and we have a client meeting soon.",
                "Faulty HDMI switcher",
                "Replaced the HDMI switcher; the display works",
            ),
            v(
                "Can't cast to the meeting room screen",
                "Casting to the screen in room {room} can't find the device, even on the meeting room network.",
                "The casting box dropped off the network",
                "Rebooted the casting box and reconnected it to the network",
            ),
            v(
                "Video conference camera not working in room {room}",
                "During video calls the camera shows nothing and the app says no camera was found.",
                "Damaged USB extension cable to the camera",
                "Replaced the USB extension; the camera works",
            ),
        ],
        details: &[
            "Room: level {floor}, room {room}",
            "Meeting: this afternoon",
        ],
        tags: &["meeting-room", "av"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        weight: 2,
        topic: "phone",
        variants: &[
            v(
                "Desk phone has no dial tone (ext {ext})",
                "Since {when} my desk phone (ext {ext}) has no dial tone.",
                "Faulty PoE switch port for the phone",
                "Moved the phone to a working switch port",
            ),
            v(
                "Can't transfer calls on my desk phone",
                "Transferring a call just drops it, which is awkward with clients.",
                "Wrong call transfer configuration",
                "Fixed the transfer configuration and tested it",
            ),
            v(
                "Callers can't reach the reception line",
                "Since {when} callers to the main reception line get a busy tone.",
                "SIP trunk registration failed",
                "Re-registered the SIP trunk; inbound calls work",
            ),
        ],
        details: &[
            "Extension: {ext}",
            "Location: level {floor}, room {room}",
            "Phone: Yealink T54W",
        ],
        tags: &["phone", "voip"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        kind: Kind::Request,
        weight: 1,
        field: true,
        topic: "move",
        variants: &[
            v(
                "Team moving to level {floor}: move PCs and phones",
                "Our team moves to level {floor} next Friday. Please move {n} PCs and phones and activate the new network ports.",
                "Team relocation",
                "Moved {n} PCs and phones and activated the network ports; all tested",
            ),
            v(
                "Office reshuffle: {n} desks to relocate",
                "With the office reshuffle, {n} desks need to move; please arrange IT support.",
                "Desk reshuffle",
                "Relocated {n} desks and tested their network connections",
            ),
        ],
        details: &["Move date: next Friday evening", "Contact: {user}"],
        tags: &["move", "request"],
        ..BASE
    },
    Scenario {
        category: OTHER,
        kind: Kind::Question,
        weight: 2,
        topic: "IT policy",
        variants: &[
            v(
                "Can I take my laptop home?",
                "Am I allowed to take my work laptop home? Is there a process?",
                "User asked about taking equipment home",
                "Explained that it must be logged in the asset system and sent the IT policy link",
            ),
            v(
                "How do I request equipment for working from home?",
                "I'll partly work from home from next month. How do I request a monitor and other equipment?",
                "User asked about home-working equipment",
                "Explained the request process; the user submitted it in the portal",
            ),
            v(
                "Which antivirus do you recommend?",
                "I want antivirus on my home PC. Do you have a recommendation?",
                "User asked about antivirus",
                "Recommended the licensed antivirus and sent the install notes",
            ),
        ],
        tags: &["howto", "policy"],
        ..BASE
    },
];

pub(super) static EN: Lang = Lang {
    scenarios: EN_SCENARIOS,
    when: &[
        "this morning",
        "yesterday afternoon",
        "Monday",
        "about an hour ago",
        "10am today",
        "lunchtime",
        "the power cut last night",
    ],
    cities: &[
        "Singapore",
        "London",
        "Tokyo",
        "Sydney",
        "Dubai",
        "Frankfurt",
    ],
    greetings: &["Hi team,", "Hello,", "Hi IT,", "Good morning,"],
    closings: &[
        "Thanks for your help!",
        "Please look at this soon, thanks.",
        "Call me on ext {ext} if you need remote access.",
        "Can this be fixed before end of day?",
        "Thanks in advance.",
        "Let me know if you need anything else.",
    ],
    urgent_closings: &[
        "The whole team is blocked, please treat this as urgent!",
        "A client is waiting on site, this is urgent.",
        "Operations are affected, please send someone now!",
    ],
    tried: [
        &[
            "Restarted the device",
            "Checked the power and data cables",
            "Tried another power socket",
            "Turned it off for a few minutes",
            "Asked colleagues; theirs does the same",
        ],
        &[
            "Restarted the PC",
            "Signed out and back in",
            "Cleared the browser cache",
            "Tried another PC, same problem",
            "Checked the network, websites load",
        ],
        &[
            "Restarted the PC",
            "Re-plugged the network cable",
            "Turned Wi-Fi off and on",
            "Tried another network port",
            "Tested on a phone hotspot, that works",
        ],
        &[
            "Tried on my phone, same result",
            "Checked Caps Lock is off",
            "Waited half an hour and retried",
            "Tried self-service password reset, no code arrives",
        ],
        &[
            "Restarted the device",
            "Checked the cables",
            "Asked the office manager",
        ],
    ],
    details_heading: "**Details**",
    tried_heading: "**Already tried**",
    error_heading: "Error message:",
    location: "Location: {site}, level {floor}, room {room}",
    phone_note: "> Logged by the service desk from a phone call.",
    walk_in_note: "> Reported in person at the service desk.",
    complaint_prefix: "Complaint: ",
    urgent_prefix: "URGENT: ",
    monitor_prefix: "[Monitoring] ",
    complaint_paras: &[
        "I've reported this {m} times already and it has never been properly fixed; it's seriously hurting our work.",
        "Two days and nobody has contacted me. I'd like an answer soon.",
        "I was told it was fixed, and it broke again the next day. Please take this seriously.",
    ],
    ack: &[
        "Hi {first}, thanks for reporting this. We're looking into the {topic} issue and will update you shortly.",
        "Hi, this is {agent}. I've started on this; is it OK if I connect remotely?",
        "Thanks, an engineer is on it. When did the problem start?",
        "Hi {first}, is anyone else affected besides you?",
        "Hi {first}, your ticket is with {agent} now.",
    ],
    progress: &[
        "I checked remotely; it looks like a {topic} configuration issue. Confirming now.",
        "We've contacted the vendor; they expect to be on site within {m} working days.",
        "Could you restart your PC and try again, to see whether it still happens?",
        "An engineer will come to level {floor} this afternoon.",
        "Found the cause and working on the fix; expect it back today.",
    ],
    ask: &[
        "Could you send a screenshot of the error and your asset tag?",
        "When would suit you for a remote session?",
        "Could you confirm whether it still happens? Just reply to this ticket.",
        "Could you send us the names of the affected colleagues?",
    ],
    done: &[
        "This should be fixed now; please check and reply if anything's still wrong.",
        "Fixed; please try again. The ticket closes automatically if we don't hear back in three days.",
        "Hi {first}, the {topic} issue is resolved; details are in the service report.",
    ],
    replies: &[
        "OK, thanks!",
        "Screenshot attached, please take a look.",
        "I'm at my desk after 2pm, remote is fine.",
        "It just happened again, still broken.",
        "Any idea when this will be fixed? It's quite urgent.",
        "To add: others on level {floor} have the same problem.",
    ],
    followups: &[
        "Update: still happening, and others on level {floor} see it too.",
        "Is anyone looking at this?",
        "Adding a screenshot, see attached.",
    ],
    confirms: &[
        "Confirmed working, thanks!",
        "All good now, thank you.",
        "Tested it, no problems.",
    ],
    internal: &[
        "Remoted in: the event log is full of related errors.",
        "Key account, prioritise.",
        "Checked with the {tier} team; needs more digging.",
        "Spare part ordered, PO-{asset}.",
        "Similar case #{m} this week; consider a problem record.",
    ],
    csat_high: &[
        "Quick and professional, thanks!",
        "Fast fix, great service.",
        "Very friendly and helpful.",
    ],
    csat_mid: &[
        "Fixed, but it took a while.",
        "Solved; faster replies would be nice.",
    ],
    csat_low: &[
        "Keeps coming back, please fix it properly.",
        "Far too slow to respond.",
    ],
    prevention: &[
        "Added to the monthly inspection checklist",
        "Updated the knowledge base article for self-service",
        "Replacing the same batch of ageing devices next quarter",
        "Added monitoring alerts to catch this earlier",
        "Trained the affected users",
    ],
};
