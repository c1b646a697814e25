/*
 * names.c - the name lists (see names.h).
 */
#include <string.h>

#include "names.h"

static const sim_name jp_family[] = {
    {"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"},
    {"伊藤", "ito"}, {"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"},
    {"小林", "kobayashi"}, {"加藤", "kato"}, {"吉田", "yoshida"}, {"山田", "yamada"},
    {"佐々木", "sasaki"}, {"山口", "yamaguchi"}, {"松本", "matsumoto"}, {"井上", "inoue"},
    {"木村", "kimura"}, {"林", "hayashi"}, {"斎藤", "saito"}, {"清水", "shimizu"},
    {"山崎", "yamazaki"}, {"森", "mori"}, {"池田", "ikeda"}, {"橋本", "hashimoto"},
    {"阿部", "abe"}, {"石川", "ishikawa"}, {"山下", "yamashita"}, {"中島", "nakajima"},
    {"石井", "ishii"}, {"小川", "ogawa"}, {"前田", "maeda"}, {"岡田", "okada"},
    {"長谷川", "hasegawa"}, {"藤田", "fujita"}, {"後藤", "goto"}, {"近藤", "kondo"},
};
static const sim_name jp_given[] = {
    {"太郎", "taro"}, {"健", "ken"}, {"翔太", "shota"}, {"大輔", "daisuke"}, {"誠", "makoto"},
    {"拓也", "takuya"}, {"直樹", "naoki"}, {"浩", "hiroshi"}, {"剛", "tsuyoshi"}, {"亮", "ryo"},
    {"和也", "kazuya"}, {"隆", "takashi"}, {"陽子", "yoko"}, {"恵子", "keiko"}, {"美穂", "miho"},
    {"由美", "yumi"}, {"真理子", "mariko"}, {"さくら", "sakura"}, {"愛", "ai"}, {"彩", "aya"},
    {"裕子", "yuko"}, {"智子", "tomoko"}, {"直美", "naomi"}, {"明美", "akemi"}, {"香織", "kaori"},
    {"修", "osamu"}, {"学", "manabu"}, {"聡", "satoshi"}, {"洋平", "yohei"}, {"悠斗", "yuto"},
};
static const sim_name cn_family[] = {
    {"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
    {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"},
    {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"林", "lin"},
};
static const sim_name cn_given[] = {
    {"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"磊", "lei"},
    {"强", "qiang"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"军", "jun"},
    {"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀英", "xiuying"}, {"丽", "li"}, {"华", "hua"},
};
static const sim_name th_family[] = {
    {"Srisai", "srisai"}, {"Wongsa", "wongsa"}, {"Chaiyaporn", "chaiyaporn"}, {"Rattanakul", "rattanakul"},
    {"Suwannarat", "suwannarat"}, {"Thongchai", "thongchai"}, {"Boonmee", "boonmee"}, {"Kittisak", "kittisak"},
};
static const sim_name th_given[] = {
    {"Somchai", "somchai"}, {"Suda", "suda"}, {"Anan", "anan"}, {"Malee", "malee"}, {"Niran", "niran"},
    {"Pim", "pim"}, {"Kanya", "kanya"}, {"Prasert", "prasert"}, {"Wichai", "wichai"}, {"Ratana", "ratana"},
};
static const sim_name west_family[] = {
    {"Smith", "smith"}, {"Johnson", "johnson"}, {"Brown", "brown"}, {"Miller", "miller"},
    {"Davis", "davis"}, {"Wilson", "wilson"}, {"Taylor", "taylor"}, {"Clark", "clark"},
    {"Müller", "mueller"}, {"Schmidt", "schmidt"}, {"Schneider", "schneider"}, {"Fischer", "fischer"},
    {"Weber", "weber"}, {"Meyer", "meyer"}, {"Wagner", "wagner"}, {"Becker", "becker"},
    {"Evans", "evans"}, {"Walker", "walker"}, {"Wright", "wright"}, {"Hughes", "hughes"},
};
static const sim_name west_given[] = {
    {"James", "james"}, {"Mary", "mary"}, {"John", "john"}, {"Linda", "linda"}, {"Michael", "michael"},
    {"Sarah", "sarah"}, {"David", "david"}, {"Emma", "emma"}, {"Thomas", "thomas"}, {"Anna", "anna"},
    {"Stefan", "stefan"}, {"Julia", "julia"}, {"Andreas", "andreas"}, {"Laura", "laura"},
    {"Oliver", "oliver"}, {"Sophie", "sophie"}, {"Daniel", "daniel"}, {"Karen", "karen"},
};

#define N(a) (sizeof a / sizeof a[0])
static const sim_name_set jp = {jp_family, N(jp_family), jp_given, N(jp_given), 1};
static const sim_name_set cn = {cn_family, N(cn_family), cn_given, N(cn_given), 1};
static const sim_name_set th = {th_family, N(th_family), th_given, N(th_given), 0};
static const sim_name_set west = {west_family, N(west_family), west_given, N(west_given), 0};

const sim_name_set *sim_names_for(const char *country)
{
    if (country && !strcmp(country, "JP")) return &jp;
    if (country && (!strcmp(country, "CN") || !strcmp(country, "TW") || !strcmp(country, "SG"))) return &cn;
    if (country && !strcmp(country, "TH")) return &th;
    return &west;
}
