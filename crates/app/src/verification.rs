//! 真实性核查 (SPEC §8.6, issue 11 item 5): the finance performance office draws a sample of the
//! year's approved project self-evaluations from a recorded seed, may add chosen ones, and
//! re-scores each with evidence. A verified score 10 points or more from the unit's own marks the
//! self-evaluation inaccurate and drafts a rectification notice; the annual assessment (§11)
//! counts the inaccurate ones. The rules are `jixiao_domain::verification`'s.

use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem, hidden};
use jixiao_domain::decimal::{from_hundredths, parse_loose, to_hundredths, trim};
use jixiao_domain::types::Role;
use jixiao_domain::verification::{
    check_verified, draw as draw_sample, is_inaccurate, sample_size,
};
use jixiao_domain::workflow::RectificationState;
use jixiao_store::browse::Scope;
use jixiao_store::regions;
use jixiao_store::verification::{self as store, Draw, Row, Summary};
use serde::{Deserialize, Serialize};

/// The object kind of a verification in audit entries.
pub const KIND: &str = "verification";

/// Who draws, adds and re-scores: the finance performance office.
fn may_verify(actor: &Actor<'_>) -> Result<(), AppError> {
    if actor.user.has(Role::FinanceAdmin) {
        Ok(())
    } else {
        Err(AppError::Denied("真实性核查由财政绩效管理员办理".into()))
    }
}

/// The units whose verifications the user reads: `None` for finance (the region), a unit
/// user's own; leaders, agencies and administrators have no part in them.
pub async fn reader_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    match actor.scope().await? {
        Scope::Region if actor.is_finance() => Ok(None),
        Scope::Units(ids) => Ok(Some(ids)),
        _ => Err(AppError::Forbidden),
    }
}

/// A year's verification as its page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub fiscal_year: i32,
    pub draw: Option<Draw>,
    /// Approved project self-evaluations that may be drawn (finance only).
    pub population: Option<usize>,
    /// How many a draw would take now, by the region's settings (finance only).
    pub would_draw: Option<usize>,
    pub summary: Summary,
    pub rows: Vec<Row>,
}

pub async fn overview(
    actor: &Actor<'_>,
    fiscal_year: i32,
    limit: i64,
    offset: i64,
) -> Result<Overview, AppError> {
    let units = reader_units(actor).await?;
    let region = &actor.user.region;
    let (population, would_draw) = if units.is_none() {
        let settings = regions::settings(actor.store, region).await?;
        let n = store::population(actor.store, region, fiscal_year)
            .await?
            .len();
        (Some(n), Some(sample_size(&settings.verification, n)))
    } else {
        (None, None)
    };
    Ok(Overview {
        fiscal_year,
        draw: store::draw_of(actor.store, region, fiscal_year).await?,
        population,
        would_draw,
        summary: store::summary(actor.store, region, fiscal_year, units.as_deref()).await?,
        rows: store::rows(
            actor.store,
            region,
            fiscal_year,
            units.as_deref(),
            limit,
            offset,
        )
        .await?,
    })
}

/// The draw as finance asks for it: the year, and a seed to repeat an earlier draw (empty: a
/// fresh one from the system's random source).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DrawInput {
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    #[serde(deserialize_with = "text_or_number")]
    pub seed: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drawn {
    pub seed: i64,
    pub population: usize,
    pub drawn: usize,
}

/// Draws the year's sample, once per year, audited with its seed.
pub async fn draw(actor: &Actor<'_>, input: &DrawInput) -> Result<Drawn, AppError> {
    may_verify(actor)?;
    let mut errors = Vec::new();
    let year = input.fiscal_year.trim().parse::<i32>().ok();
    if !year.is_some_and(|y| (2000..=2100).contains(&y)) {
        errors.push(FieldProblem::new(
            "评价年度",
            format!("“{}”不是有效的年度", input.fiscal_year),
        ));
    }
    let seed = match input.seed.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=999_999_999_999).contains(&n) => Some(n),
            _ => {
                errors.push(FieldProblem::new(
                    "随机种子",
                    format!("“{s}”不是 1 到 999999999999 之间的整数"),
                ));
                None
            }
        },
    };
    let Some(year) = year.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let region = &actor.user.region;
    if let Some(d) = store::draw_of(actor.store, region, year).await? {
        return Err(AppError::Refused(format!(
            "{year} 年度的核查样本已于 {} 抽取（随机种子 {}），不能重复抽取；可以逐个加入指定的自评",
            jixiao_store::deadlines::local_date(d.drawn_at),
            d.seed
        )));
    }
    let population = store::population(actor.store, region, year).await?;
    if population.is_empty() {
        return Err(AppError::Refused(format!(
            "{year} 年度还没有审核通过的项目绩效自评，无从抽取"
        )));
    }
    let settings = regions::settings(actor.store, region).await?;
    let size = sample_size(&settings.verification, population.len());
    let seed = seed.unwrap_or_else(store::fresh_seed);
    let drawn = draw_sample(seed as u64, &population, size);
    let mut tx = actor.store.begin().await?;
    let id = store::insert_draw(
        &mut tx,
        &store::NewDraw {
            region,
            fiscal_year: year,
            seed,
            population: population.len() as i32,
            drawn_by: Some(actor.user.id),
        },
        &drawn,
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "verification.draw",
            "verification_draw",
            id,
            "",
            &json(&serde_json::json!({"fiscal_year": year, "seed": seed,
                "population": population.len(), "drawn": drawn})),
        )
        .await?;
    tx.commit().await?;
    Ok(Drawn {
        seed,
        population: population.len(),
        drawn: drawn.len(),
    })
}

/// Adds a chosen self-evaluation (approved, of a project or a unit) to its year's sample.
pub async fn add(actor: &Actor<'_>, evaluation_id: i64) -> Result<i64, AppError> {
    may_verify(actor)?;
    let region = &actor.user.region;
    let scope = actor.scope().await?;
    let Some(e) = jixiao_store::self_evaluation::record(actor.store, region, evaluation_id).await?
    else {
        return Err(hidden(&scope, "评价"));
    };
    if e.kind != "self" || e.state != "approved" {
        return Err(AppError::Refused(
            "只有审核通过的绩效自评可以加入核查".into(),
        ));
    }
    if store::of_evaluation(actor.store, region, evaluation_id)
        .await?
        .is_some()
    {
        return Err(AppError::Refused("这份绩效自评已在核查样本中".into()));
    }
    let mut tx = actor.store.begin().await?;
    let id = store::insert_chosen(&mut tx, region, evaluation_id, Some(actor.user.id)).await?;
    actor
        .audit(
            &mut tx,
            "verification.add",
            KIND,
            id,
            "",
            &json(&serde_json::json!({"evaluation_id": evaluation_id,
                "fiscal_year": e.fiscal_year, "self_x100": e.total_x100})),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A verified score as finance records it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VerifyInput {
    pub row_version: i32,
    /// 核查得分 (0–100).
    #[serde(deserialize_with = "text_or_number")]
    pub score: String,
    /// 核查依据: the evidence looked at and what it showed.
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub verified: String,
    pub gap: String,
    pub inaccurate: bool,
    /// The rectification notice drafted by this verdict.
    pub notice: Option<i64>,
    pub row_version: i32,
}

/// Records the verified score; an inaccurate verdict drafts a notice (unless one is open).
pub async fn verify(actor: &Actor<'_>, id: i64, input: &VerifyInput) -> Result<Verified, AppError> {
    may_verify(actor)?;
    let region = &actor.user.region;
    let Some(v) = store::get(actor.store, region, id).await? else {
        return Err(AppError::NotFound("核查记录".into()));
    };
    let Some(score) = parse_loose(input.score.trim()) else {
        return Err(AppError::invalid(
            "核查得分",
            format!("“{}”不是有效的分数", input.score.trim()),
        ));
    };
    let score = check_verified(score, &input.evidence)
        .map_err(|e| AppError::invalid("核查得分", e.to_string()))?;
    if input.evidence.chars().count() > 2000 {
        return Err(AppError::invalid("核查依据", "不能超过 2000 个字"));
    }
    let settings = regions::settings(actor.store, region).await?;
    let own = from_hundredths(v.self_x100);
    let inaccurate = is_inaccurate(&settings.verification, own, score);
    let open_notice = jixiao_store::rectifications::of_source(actor.store, KIND, id)
        .await?
        .iter()
        .any(|k| k.state != RectificationState::Closed.code());
    let evaluation = jixiao_store::self_evaluation::record(actor.store, region, v.evaluation_id)
        .await?
        .ok_or_else(|| AppError::NotFound("评价".into()))?;
    let mut tx = actor.store.begin().await?;
    store::record(
        &mut tx,
        id,
        input.row_version,
        to_hundredths(score),
        inaccurate,
        input.evidence.trim(),
        Some(actor.user.id),
    )
    .await?;
    let gap = (own - score).abs();
    let notice = if inaccurate && !open_notice {
        let deadline = jixiao_store::deadlines::today()
            + chrono::Duration::days(crate::rectification::DEFAULT_DAYS);
        let problem = format!(
            "{} 年度绩效自评“{}”自评得分 {}，核查得分 {}，相差 {} 分，自评结果不实",
            v.fiscal_year,
            v.title,
            trim(own),
            trim(score),
            trim(gap)
        );
        let requirement = "请核实自评数据和佐证材料，说明自评不实的原因，更正自评结果，并建立自评复核机制，限期报送整改情况。";
        let notice = jixiao_store::rectifications::insert(
            &mut tx,
            &jixiao_store::rectifications::NewRectification {
                region,
                fiscal_year: v.fiscal_year,
                unit_id: evaluation.unit_id,
                project_id: evaluation.project_id,
                source_kind: KIND,
                source_id: Some(id),
                problem: &problem,
                requirement,
                deadline,
                state: RectificationState::Draft.code(),
                response: "",
                warning_kind: "",
            },
        )
        .await?;
        actor
            .audit(
                &mut tx,
                "rectification.draft",
                crate::rectification::KIND,
                notice,
                "",
                &json(&serde_json::json!({"source": KIND, "verification_id": id,
                    "problem": problem, "deadline": deadline})),
            )
            .await?;
        Some(notice)
    } else {
        None
    };
    actor
        .audit(
            &mut tx,
            "verification.verify",
            KIND,
            id,
            &json(
                &serde_json::json!({"verified_x100": v.verified_x100, "inaccurate": v.inaccurate,
                "evidence": v.evidence}),
            ),
            &json(
                &serde_json::json!({"verified_x100": to_hundredths(score), "inaccurate": inaccurate,
                "evidence": input.evidence.trim(), "self_x100": v.self_x100}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(Verified {
        verified: trim(score),
        gap: trim(gap),
        inaccurate,
        notice,
        row_version: v.row_version + 1,
    })
}

/// The verification of one self-evaluation, for its page (whoever may read the evaluation).
pub async fn of_evaluation(actor: &Actor<'_>, evaluation_id: i64) -> Result<Option<Row>, AppError> {
    Ok(store::of_evaluation(actor.store, &actor.user.region, evaluation_id).await?)
}
