(* Valid: an inductive predicate and a small fact about it. *)
Inductive even : nat -> Prop :=
  | even_O : even 0
  | even_SS : forall n, even n -> even (S (S n)).

Lemma even_4 : even 4.
Proof. repeat constructor. Qed.

Lemma even_plus_2 : forall n, even n -> even (n + 2).
Proof.
  intros n H. induction H; simpl.
  - repeat constructor.
  - constructor. assumption.
Qed.
