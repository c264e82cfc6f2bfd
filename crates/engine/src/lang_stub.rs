// Temporary minimal evaluator (to be replaced by lang/).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility { Observed, Hidden }
#[derive(Clone, Debug, PartialEq)]
pub struct SignalDecl { pub name: String, pub visibility: Visibility, pub description: String }
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access { Reward, Intent }
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic { pub message: String, pub span: (usize, usize), pub help: Option<String> }
impl Diagnostic { pub fn render(&self, _src: &str) -> String { self.message.clone() } }
#[derive(Clone, Debug)]
enum E { N(f64), S(usize), B(char, Box<E>, Box<E>), If(Box<E>, Box<E>, Box<E>), Neg(Box<E>) }
#[derive(Clone, Debug)]
pub struct Program(E, Vec<usize>);
fn ev(e: &E, s: &[f64]) -> f64 {
    match e {
        E::N(x) => *x,
        E::S(i) => s.get(*i).copied().unwrap_or(0.0),
        E::Neg(a) => -ev(a, s),
        E::If(c, a, b) => if ev(c, s) != 0.0 { ev(a, s) } else { ev(b, s) },
        E::B(op, a, b) => { let (x, y) = (ev(a, s), ev(b, s)); match op { '+' => x + y, '-' => x - y, '*' => x * y, '/' => if y == 0.0 { 0.0 } else { x / y }, '>' => (x > y) as i32 as f64, '<' => (x < y) as i32 as f64, '=' => (x == y) as i32 as f64, _ => 0.0 } }
    }
}
impl Program { pub fn eval(&self, s: &[f64]) -> f64 { ev(&self.0, s) } pub fn signals_used(&self) -> &[usize] { &self.1 } }
struct P<'a> { t: Vec<String>, i: usize, d: &'a [SignalDecl], acc: Access, used: Vec<usize> }
fn derr<T>(m: String) -> Result<T, Diagnostic> { Err(Diagnostic { message: m, span: (0, 0), help: None }) }
impl P<'_> {
    fn peek(&self) -> &str { self.t.get(self.i).map(|s| s.as_str()).unwrap_or("") }
    fn next(&mut self) -> String { let s = self.peek().to_string(); self.i += 1; s }
    fn expr(&mut self) -> Result<E, Diagnostic> {
        if self.peek() == "if" { self.next(); let c = self.expr()?; if self.next() != "then" { return derr("then".into()); } let a = self.expr()?; if self.next() != "else" { return derr("else".into()); } let b = self.expr()?; return Ok(E::If(Box::new(c), Box::new(a), Box::new(b))); }
        let a = self.add()?;
        let op = self.peek().to_string();
        if op == ">" || op == "<" || op == "==" { self.next(); let b = self.add()?; return Ok(E::B(op.chars().next().unwrap(), Box::new(a), Box::new(b))); }
        Ok(a)
    }
    fn add(&mut self) -> Result<E, Diagnostic> { let mut a = self.mul()?; while self.peek() == "+" || self.peek() == "-" { let op = self.next().chars().next().unwrap(); let b = self.mul()?; a = E::B(op, Box::new(a), Box::new(b)); } Ok(a) }
    fn mul(&mut self) -> Result<E, Diagnostic> { let mut a = self.un()?; while self.peek() == "*" || self.peek() == "/" { let op = self.next().chars().next().unwrap(); let b = self.un()?; a = E::B(op, Box::new(a), Box::new(b)); } Ok(a) }
    fn un(&mut self) -> Result<E, Diagnostic> {
        let t = self.next();
        if t == "-" { return Ok(E::Neg(Box::new(self.un()?))); }
        if t == "(" { let e = self.expr()?; self.next(); return Ok(e); }
        if let Ok(x) = t.parse::<f64>() { return Ok(E::N(x)); }
        match self.d.iter().position(|d| d.name == t) {
            Some(i) => { if self.acc == Access::Reward && self.d[i].visibility == Visibility::Hidden { return derr(format!("`{t}` is hidden")); } self.used.push(i); Ok(E::S(i)) }
            None => derr(format!("unknown signal `{t}`")),
        }
    }
}
pub fn compile(src: &str, d: &[SignalDecl], acc: Access) -> Result<Program, Diagnostic> {
    let mut t = Vec::new(); let cs: Vec<char> = src.chars().collect(); let mut i = 0;
    while i < cs.len() { let c = cs[i]; if c.is_whitespace() { i += 1; } else if c.is_alphanumeric() || c == '_' || c == '.' { let st = i; while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '.') { i += 1; } t.push(cs[st..i].iter().collect()); } else if c == '=' { t.push("==".into()); i += 2; } else { t.push(c.to_string()); i += 1; } }
    let mut p = P { t, i: 0, d, acc, used: Vec::new() };
    let e = p.expr()?; if p.i < p.t.len() { return derr("trailing".into()); }
    p.used.sort(); p.used.dedup();
    Ok(Program(e, p.used))
}
