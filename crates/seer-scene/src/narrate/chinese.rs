//! The narration of a shot in Chinese (Simplified): the same facts and the
//! same rules as the English narration — most numerous classes first,
//! events of one class, kind and second told together, at most four
//! classes, three events and three pieces of on-screen text — in Chinese
//! words with the measure word each noun takes.

use super::describe::{clock, ShotFacts};
use super::motion::CameraMotion;
use crate::shots::Transition;

/// The Chinese name of a COCO class and its measure word; `None` for a
/// name that is not a COCO class.
fn noun(class: &str) -> Option<(&'static str, &'static str)> {
    let entry = match class {
        "person" => ("人", "个"),
        "bicycle" => ("自行车", "辆"),
        "car" => ("汽车", "辆"),
        "motorcycle" => ("摩托车", "辆"),
        "airplane" => ("飞机", "架"),
        "bus" => ("公交车", "辆"),
        "train" => ("火车", "列"),
        "truck" => ("卡车", "辆"),
        "boat" => ("船", "艘"),
        "traffic light" => ("红绿灯", "个"),
        "fire hydrant" => ("消防栓", "个"),
        "stop sign" => ("停车标志", "个"),
        "parking meter" => ("停车计时器", "个"),
        "bench" => ("长椅", "张"),
        "bird" => ("鸟", "只"),
        "cat" => ("猫", "只"),
        "dog" => ("狗", "只"),
        "horse" => ("马", "匹"),
        "sheep" => ("羊", "只"),
        "cow" => ("牛", "头"),
        "elephant" => ("大象", "头"),
        "bear" => ("熊", "只"),
        "zebra" => ("斑马", "匹"),
        "giraffe" => ("长颈鹿", "只"),
        "backpack" => ("背包", "个"),
        "umbrella" => ("伞", "把"),
        "handbag" => ("手提包", "个"),
        "tie" => ("领带", "条"),
        "suitcase" => ("行李箱", "个"),
        "frisbee" => ("飞盘", "个"),
        "skis" => ("滑雪板", "副"),
        "snowboard" => ("单板滑雪板", "块"),
        "sports ball" => ("球", "个"),
        "kite" => ("风筝", "只"),
        "baseball bat" => ("棒球棒", "根"),
        "baseball glove" => ("棒球手套", "只"),
        "skateboard" => ("滑板", "块"),
        "surfboard" => ("冲浪板", "块"),
        "tennis racket" => ("网球拍", "只"),
        "bottle" => ("瓶子", "个"),
        "wine glass" => ("酒杯", "个"),
        "cup" => ("杯子", "个"),
        "fork" => ("叉子", "把"),
        "knife" => ("刀", "把"),
        "spoon" => ("勺子", "把"),
        "bowl" => ("碗", "个"),
        "banana" => ("香蕉", "根"),
        "apple" => ("苹果", "个"),
        "sandwich" => ("三明治", "个"),
        "orange" => ("橙子", "个"),
        "broccoli" => ("西兰花", "棵"),
        "carrot" => ("胡萝卜", "根"),
        "hot dog" => ("热狗", "个"),
        "pizza" => ("披萨", "块"),
        "donut" => ("甜甜圈", "个"),
        "cake" => ("蛋糕", "块"),
        "chair" => ("椅子", "把"),
        "couch" => ("沙发", "张"),
        "potted plant" => ("盆栽", "盆"),
        "bed" => ("床", "张"),
        "dining table" => ("餐桌", "张"),
        "toilet" => ("马桶", "个"),
        "tv" => ("电视", "台"),
        "laptop" => ("笔记本电脑", "台"),
        "mouse" => ("鼠标", "个"),
        "remote" => ("遥控器", "个"),
        "keyboard" => ("键盘", "个"),
        "cell phone" => ("手机", "部"),
        "microwave" => ("微波炉", "台"),
        "oven" => ("烤箱", "台"),
        "toaster" => ("烤面包机", "台"),
        "sink" => ("水槽", "个"),
        "refrigerator" => ("冰箱", "台"),
        "book" => ("书", "本"),
        "clock" => ("钟", "个"),
        "vase" => ("花瓶", "个"),
        "scissors" => ("剪刀", "把"),
        "teddy bear" => ("泰迪熊", "只"),
        "hair drier" => ("吹风机", "个"),
        "toothbrush" => ("牙刷", "支"),
        _ => return None,
    };
    Some(entry)
}

/// Chinese numerals for small counts (两 before a measure word), digits
/// from 13 on.
fn count_words(n: u64) -> String {
    const WORDS: [&str; 13] = [
        "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    WORDS
        .get(n as usize)
        .map(|w| w.to_string())
        .unwrap_or_else(|| n.to_string())
}

/// "两辆汽车"; a class without a Chinese name keeps its English name.
fn counted(n: u64, class: &str) -> String {
    let (name, measure) = noun(class).unwrap_or(("", "个"));
    let name = if name.is_empty() { class } else { name };
    format!("{}{measure}{name}", count_words(n))
}

/// "甲、乙和丙".
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}和{last}", rest.join("、")),
    }
}

/// The camera's motion as a clause ("" for a static camera).
fn motion(camera: CameraMotion) -> &'static str {
    match camera {
        CameraMotion::Static => "",
        CameraMotion::PanLeft => "镜头向左摇",
        CameraMotion::PanRight => "镜头向右摇",
        CameraMotion::TiltUp => "镜头向上摇",
        CameraMotion::TiltDown => "镜头向下摇",
        CameraMotion::ZoomIn => "镜头推近",
        CameraMotion::ZoomOut => "镜头拉远",
    }
}

/// The narration of one shot in Chinese.
pub fn narrate_chinese(facts: &ShotFacts) -> String {
    let mut classes: Vec<(&String, &u64)> = facts.objects.iter().filter(|(_, n)| **n > 0).collect();
    classes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let seen: Vec<String> = classes
        .iter()
        .take(4)
        .map(|(c, n)| counted(**n, c))
        .collect();
    let opening = match facts.shot.transition_in {
        Transition::Start => "",
        Transition::Cut => "镜头切换后，",
        Transition::Fade => "淡入后，",
        Transition::Dissolve => "叠化后，",
    };
    let mut text = if seen.is_empty() {
        format!("{opening}未检测到物体")
    } else {
        format!("{opening}画面中有{}", listed(&seen))
    };
    let moving = motion(facts.camera);
    if !moving.is_empty() {
        text.push('，');
        text.push_str(moving);
    }
    text.push('。');
    let mut grouped: Vec<(String, &str, String, u64)> = Vec::new();
    for e in &facts.events {
        let at = clock(e.t);
        match grouped
            .iter_mut()
            .find(|(c, w, t, _)| *c == e.class && *w == e.what && *t == at)
        {
            Some(g) => g.3 += 1,
            None => grouped.push((e.class.clone(), e.what, at, 1)),
        }
    }
    let events: Vec<String> = grouped
        .iter()
        .take(3)
        .map(|(class, what, at, n)| {
            let verb = if *what == "leaves" {
                "离开画面"
            } else {
                "进入画面"
            };
            format!("{at}{}{verb}", counted(*n, class))
        })
        .collect();
    if !events.is_empty() {
        text.push_str(&events.join("，"));
        text.push('。');
    }
    let shown: Vec<String> = facts
        .text
        .iter()
        .filter(|t| !t.trim().is_empty())
        .take(3)
        .map(|t| format!("\u{201c}{t}\u{201d}"))
        .collect();
    if !shown.is_empty() {
        text.push_str(&format!("屏幕文字：{}。", shown.join("、")));
    }
    for change in &facts.score_changes {
        text.push_str(&format!(
            "{}比分由{}变为{}。",
            clock(change.t_s),
            change.from,
            change.to
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrate::describe::facts;
    use crate::narrate::ShotEvent;

    #[test]
    fn chinese_sentences_count_what_was_seen_with_measure_words() {
        let event = |t, what, class: &str| ShotEvent {
            t,
            what,
            class: class.into(),
            track: 1,
        };
        let f = facts(
            &[("person", 2), ("car", 1), ("sports ball", 1)],
            CameraMotion::PanLeft,
            vec![
                event(62.4, "enters", "person"),
                event(63.0, "leaves", "car"),
            ],
        );
        assert_eq!(
            narrate_chinese(&f),
            "镜头切换后，画面中有两个人、一辆汽车和一个球，镜头向左摇。1:02一个人进入画面，1:03一辆汽车离开画面。"
        );
        let mut board = facts(&[], CameraMotion::Static, vec![]);
        board.text = vec!["2-1".into(), "比分".into()];
        assert_eq!(
            narrate_chinese(&board),
            "镜头切换后，未检测到物体。屏幕文字：\u{201c}2-1\u{201d}、\u{201c}比分\u{201d}。"
        );
    }

    #[test]
    fn every_coco_class_has_a_chinese_name() {
        for class in seer_objects::COCO_CLASSES {
            assert!(noun(class).is_some(), "{class}");
        }
    }
}
